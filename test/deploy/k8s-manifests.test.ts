import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Deployment as DeploymentModel } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Job as JobModel } from 'kubernetes-models/batch/v1/Job';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap as ConfigMapModel } from 'kubernetes-models/v1/ConfigMap';
import { Service as ServiceModel } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { KAFKA_TOPICS } from '@kindred/contracts';
import { consoleConfigSchema } from '@kindred/console';
import { intakeConfigSchema } from '@kindred/intake';
import { matchingConfigSchema } from '@kindred/matching';
import { notifierConfigSchema } from '@kindred/notifier';
import {
  COMPONENT_LABEL,
  SECRET_LIKE_NAME,
  configMapSecretProblems,
  containerEnvironment,
  deploymentOf,
  loadManifests,
  mainContainer,
  ofKind,
  probeProblems,
  readmeSecretKeys,
  repoRoot,
  resolvePort,
  resourceProblems,
  sampleSecretValues,
  securityProblems,
  selects,
  topicPartitions,
  type ConfigMap,
  type Deployment,
  type Job,
  type K8sObject,
  type Service,
} from './k8s-manifests.js';

// The plain manifests (deploy/k8s, rendered from deploy/helm/kindred) against what the services really need: their
// own config schemas, ops routes and ports.

const SECRET_NAME = 'kindred-secrets';

/** What the test needs of a service's zod config schema. */
interface ConfigSchema {
  safeParse(input: unknown): { success: true; data: unknown } | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } };
}

interface ServiceUnderTest {
  readonly component: string;
  readonly entry: string;
  readonly schema: ConfigSchema;
  /** The parsed config's HTTP port (where /healthz and /readyz answer). */
  readonly httpPort: (config: Record<string, unknown>) => unknown;
}

const services: readonly ServiceUnderTest[] = [
  { component: 'intake', entry: 'services/intake/src/main.ts', schema: intakeConfigSchema, httpPort: (c) => c['INTAKE_HTTP_PORT'] },
  { component: 'matching', entry: 'services/matching/src/main.ts', schema: matchingConfigSchema, httpPort: (c) => c['MATCHING_HTTP_PORT'] },
  { component: 'notifier', entry: 'services/notifier/src/main.ts', schema: notifierConfigSchema, httpPort: (c) => c['NOTIFIER_HTTP_PORT'] },
  { component: 'notifier-workers', entry: 'services/notifier/src/main.ts', schema: notifierConfigSchema, httpPort: (c) => c['NOTIFIER_HTTP_PORT'] },
  { component: 'console', entry: 'services/console/src/main.ts', schema: consoleConfigSchema, httpPort: (c) => c['CONSOLE_HTTP_PORT'] },
];

const objects = loadManifests();
const secret = { name: SECRET_NAME, values: sampleSecretValues() };

function envOf(all: readonly K8sObject[], component: string): Record<string, string> {
  return containerEnvironment(mainContainer(deploymentOf(all, component)), all, secret);
}

/** The service's own schema, given exactly what the manifests hand its container. */
function configOf(all: readonly K8sObject[], service: ServiceUnderTest): Record<string, unknown> {
  const result = service.schema.safeParse(envOf(all, service.component));
  if (!result.success) {
    throw new Error(`${service.component}: ${result.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; ')}`);
  }
  return result.data as Record<string, unknown>;
}

const clone = (all: readonly K8sObject[]): K8sObject[] => structuredClone(all) as K8sObject[];

describe('the plain Kubernetes manifests', () => {
  it('are valid Kubernetes objects of kinds the check knows', () => {
    const models: Record<string, new (data: never) => { validate(): void }> = {
      'apps/v1/Deployment': DeploymentModel,
      'v1/Service': ServiceModel,
      'v1/ConfigMap': ConfigMapModel,
      'v1/ServiceAccount': ServiceAccount,
      'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
      'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
      'batch/v1/Job': JobModel,
      'networking.k8s.io/v1/Ingress': Ingress,
    };
    expect(objects.length).toBeGreaterThan(10);
    for (const object of objects) {
      const Model = models[`${object.apiVersion}/${object.kind}`];
      expect(Model, `${object.apiVersion} ${object.kind} ${object.metadata.name}`).toBeDefined();
      expect(() => new (Model as new (data: unknown) => { validate(): void })(object).validate(), `${object.kind} ${object.metadata.name}`).not.toThrow();
    }
    const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(new Set(names).size).toBe(names.length);
  });

  it('run intake, matching, the notifier (all and workers-only) and the console, nothing else', () => {
    const components = ofKind<Deployment>(objects, 'Deployment').map((d) => d.spec.template.metadata.labels[COMPONENT_LABEL]);
    expect(components.sort()).toEqual(services.map((s) => s.component).sort());
  });

  it('commit no Secret: its values are created apart, as the README says', () => {
    expect(ofKind(objects, 'Secret')).toEqual([]);
  });

  describe.each(services)('the $component Deployment', (service) => {
    const deployment = deploymentOf(objects, service.component);
    const container = mainContainer(deployment);

    it("provides every variable the service's config schema requires, and the schema accepts them", () => {
      expect(() => configOf(objects, service)).not.toThrow();
    });

    it('runs the service entry file that exists in the image', () => {
      expect(container.command).toEqual(['node', '--import', 'tsx', service.entry]);
      expect(existsSync(`${repoRoot}${service.entry}`)).toBe(true);
    });

    it('probes readiness on /readyz and liveness on /healthz at the port the service listens on', () => {
      const port = service.httpPort(configOf(objects, service));
      expect(typeof port).toBe('number');
      expect(probeProblems(container, port as number)).toEqual([]);
    });

    it('requests CPU and memory and caps memory', () => {
      expect(resourceProblems(container)).toEqual([]);
    });

    it('runs as a non-root user on a read-only root filesystem, without privileges', () => {
      expect(securityProblems(deployment.spec.template.spec, container)).toEqual([]);
    });

    it('takes every secret setting from the Secret, never from a literal value', () => {
      const literals = (container.env ?? []).filter((v) => v.value !== undefined && SECRET_LIKE_NAME.test(v.name));
      // MATCHING_COORDINATOR_TOKENS is a literal template whose token is $(MATCHING_SERVICE_TOKEN), from the Secret.
      for (const literal of literals) expect(literal.value, literal.name).toMatch(/\$\([A-Z_]+\)/);
    });

    it('runs at least two replicas, and a disruption budget keeps one of them up during a drain', () => {
      expect(deployment.spec.replicas ?? 0).toBeGreaterThanOrEqual(2);
      const budgets = ofKind<K8sObject & { spec: { selector: { matchLabels: Record<string, string> }; maxUnavailable?: number } }>(
        objects,
        'PodDisruptionBudget',
      ).filter((b) => selects(b.spec.selector.matchLabels, deployment.spec.template.metadata.labels));
      expect(budgets).toHaveLength(1);
      expect(budgets[0]?.spec.maxUnavailable).toBeLessThan(deployment.spec.replicas ?? 0);
    });
  });

  it('give each service (not the workers) a Service that selects its pods only and reaches its ports', () => {
    const deployments = ofKind<Deployment>(objects, 'Deployment');
    for (const component of ['intake', 'matching', 'notifier', 'console']) {
      const deployment = deploymentOf(objects, component);
      const service = ofKind<Service>(objects, 'Service').find((s) => s.metadata.name === `kindred-${component}`);
      expect(service, component).toBeDefined();
      const selected = deployments.filter((d) => selects(service?.spec.selector ?? {}, d.spec.template.metadata.labels));
      expect(selected.map((d) => d.metadata.name)).toEqual([deployment.metadata.name]);
      for (const port of service?.spec.ports ?? []) {
        expect(resolvePort(mainContainer(deployment), port.targetPort ?? port.port), `${component} ${port.name ?? port.port}`).toBeDefined();
      }
    }
  });

  it("point the notifier at intake's gRPC port and the console at matching's, through their Services", () => {
    const intake = configOf(objects, services[0] as ServiceUnderTest);
    const matching = configOf(objects, services[1] as ServiceUnderTest);
    const hops = [
      { from: 'notifier', variable: 'INTAKE_GRPC_ADDR', to: 'intake', port: intake['INTAKE_GRPC_PORT'] },
      { from: 'notifier-workers', variable: 'INTAKE_GRPC_ADDR', to: 'intake', port: intake['INTAKE_GRPC_PORT'] },
      { from: 'console', variable: 'MATCHING_GRPC_ADDR', to: 'matching', port: matching['MATCHING_GRPC_PORT'] },
    ];
    for (const hop of hops) {
      const [host, port] = (envOf(objects, hop.from)[hop.variable] ?? '').split(':');
      const service = ofKind<Service>(objects, 'Service').find((s) => s.metadata.name === host);
      expect(service, `${hop.from} ${hop.variable} names Service ${String(host)}`).toBeDefined();
      const servicePort = service?.spec.ports.find((p) => p.port === Number(port));
      expect(servicePort, `${hop.from}: Service ${String(host)} has no port ${String(port)}`).toBeDefined();
      expect(resolvePort(mainContainer(deploymentOf(objects, hop.to)), servicePort?.targetPort ?? servicePort?.port)).toBe(hop.port);
    }
  });

  it('give the console a token that matching accepts, and the notifier the token intake expects', () => {
    const matching = configOf(objects, services[1] as ServiceUnderTest);
    const consoleToken = envOf(objects, 'console')['MATCHING_SERVICE_TOKEN'] ?? '';
    const tokens = matching['MATCHING_COORDINATOR_TOKENS'] as Record<string, { role: string }>;
    expect(tokens[consoleToken]?.role).toBe('coordinator');
    expect(envOf(objects, 'notifier')['INTAKE_DIRECTORY_TOKEN']).toBe(envOf(objects, 'intake')['INTAKE_DIRECTORY_TOKEN']);
    expect(envOf(objects, 'notifier-workers')['INTAKE_DIRECTORY_TOKEN']).toBe(envOf(objects, 'intake')['INTAKE_DIRECTORY_TOKEN']);
  });

  it('run the notifier in mode all (consumer, sweeper, webhooks) and workers-only, both sending callbacks to its public URL', () => {
    const all = configOf(objects, services[2] as ServiceUnderTest);
    const workers = configOf(objects, services[3] as ServiceUnderTest);
    expect(all['NOTIFIER_MODE']).toBe('all');
    expect(workers['NOTIFIER_MODE']).toBe('workers');
    expect(all['NOTIFIER_PUBLIC_URL']).toMatch(/^https:\/\//);
    expect(workers['NOTIFIER_PUBLIC_URL']).toBe(all['NOTIFIER_PUBLIC_URL']);
    expect(all['TWILIO_API_BASE_URL']).toBeUndefined(); // the sandbox only: production talks to Twilio itself
  });

  it('route the public URL of the notifier to its webhooks and unsubscribe page only', () => {
    const ingress = ofKind<K8sObject & { spec: { rules: { host: string; http: { paths: { path: string; backend: { service: { name: string } } }[] } }[] } }>(
      objects,
      'Ingress',
    );
    expect(ingress).toHaveLength(1);
    const publicHost = new URL(String(configOf(objects, services[2] as ServiceUnderTest)['NOTIFIER_PUBLIC_URL'])).host;
    const rule = ingress[0]?.spec.rules.find((r) => r.host === publicHost);
    expect(rule?.http.paths.map((p) => [p.path, p.backend.service.name])).toEqual([
      ['/webhooks/twilio', 'kindred-notifier'],
      ['/unsubscribe', 'kindred-notifier'],
    ]);
  });

  it('keep secrets out of every ConfigMap', () => {
    const configMaps = ofKind<ConfigMap>(objects, 'ConfigMap');
    expect(configMaps.length).toBeGreaterThan(0);
    for (const configMap of configMaps) expect(configMapSecretProblems(configMap, secret.values)).toEqual([]);
  });

  it('ask for the Secret keys the README tells the operator to create, and the chart lists', () => {
    const referenced = new Set<string>();
    for (const deployment of ofKind<Deployment>(objects, 'Deployment')) {
      for (const variable of mainContainer(deployment).env ?? []) {
        const ref = variable.valueFrom?.secretKeyRef;
        if (ref) {
          expect(ref.name).toBe(SECRET_NAME);
          referenced.add(ref.key);
        }
      }
    }
    const readme = readmeSecretKeys();
    const chart = Object.keys((parse(readFileSync(`${repoRoot}deploy/helm/kindred/values.yaml`, 'utf8')) as { secrets: { values: object } }).secrets.values);
    expect([...referenced].sort()).toEqual([...readme].sort());
    expect([...chart].sort()).toEqual([...readme].sort());
    expect(Object.keys(secret.values).sort()).toEqual([...readme].sort());
  });

  it('create every topic the services use, with enough partitions for the consumers the manifests run', () => {
    const job = ofKind<Job>(objects, 'Job');
    expect(job).toHaveLength(1);
    const container = job[0]?.spec.template.spec.containers[0];
    const env = Object.fromEntries((container?.env ?? []).map((v) => [v.name, v.value ?? '']));
    const partitions = topicPartitions(env['KINDRED_TOPICS'] ?? '');
    const matching = configOf(objects, services[1] as ServiceUnderTest);
    const notifier = configOf(objects, services[2] as ServiceUnderTest);
    const wanted = [...KAFKA_TOPICS, `${String(matching['MATCHING_GROUP_ID'])}.dlq`, `${String(notifier['NOTIFIER_KAFKA_GROUP'])}.dlq`];
    expect([...partitions.keys()].sort()).toEqual(wanted.sort());
    // A partition is read by one member of a group at a time: fewer partitions than instances leaves instances idle.
    const replicas = (component: string) => deploymentOf(objects, component).spec.replicas ?? 0;
    for (const topic of ['kindred.intake.newcomers.v1', 'kindred.intake.peers.v1', 'kindred.notify.deliveries.v1']) {
      expect(partitions.get(topic), topic).toBeGreaterThanOrEqual(replicas('matching'));
    }
    expect(partitions.get('kindred.matching.matches.v1')).toBeGreaterThanOrEqual(replicas('notifier'));
    expect(env['KAFKA_BROKERS']).toBe(envOf(objects, 'intake')['KAFKA_BROKERS']);
    // The script the Job runs is the one test/deploy/kafka-topics-job.test.ts runs against a real broker.
    const embedded = container?.args?.[0] ?? '';
    expect(embedded.trim()).toBe(readFileSync(`${repoRoot}deploy/helm/kindred/files/ensure-topics.sh`, 'utf8').trim());
    expect(Number(env['MIN_INSYNC_REPLICAS'])).toBeLessThan(Number(env['REPLICATION_FACTOR']));
  });
});

// Each check above must be able to fail: here each is given manifests broken in the way it guards against.
describe('the manifest checks catch', () => {
  const intake = services[0] as ServiceUnderTest;
  const env = (all: K8sObject[], component: string) => mainContainer(deploymentOf(all, component)).env as { name: string }[];

  it('a required variable the manifests forget (INTAKE_MASTER_KEY)', () => {
    const broken = clone(objects);
    const list = env(broken, 'intake');
    list.splice(list.findIndex((v) => v.name === 'INTAKE_MASTER_KEY'), 1);
    expect(() => configOf(broken, intake)).toThrow(/INTAKE_MASTER_KEY/);
  });

  it('a malformed value (a ConfigMap that gives KAFKA_BROKERS without ports)', () => {
    const broken = clone(objects);
    const shared = ofKind<ConfigMap>(broken, 'ConfigMap').find((c) => c.data?.['KAFKA_BROKERS'] !== undefined) as { data: Record<string, string> };
    shared.data['KAFKA_BROKERS'] = 'kafka-0,kafka-1';
    expect(() => configOf(broken, intake)).toThrow(/KAFKA_BROKERS/);
  });

  it('a Secret key the README does not document', () => {
    const broken = clone(objects);
    const variable = env(broken, 'intake').find((v) => v.name === 'INTAKE_MASTER_KEY') as unknown as { valueFrom: { secretKeyRef: { key: string } } };
    variable.valueFrom.secretKeyRef.key = 'MASTER_KEY_V2';
    expect(() => envOf(broken, 'intake')).toThrow(/MASTER_KEY_V2/);
  });

  it('a readiness probe on the wrong path or port', () => {
    const container = structuredClone(mainContainer(deploymentOf(objects, 'matching')));
    const wrongPath = { ...container, readinessProbe: { httpGet: { path: '/healthz', port: 'http' } } };
    const wrongPort = { ...container, readinessProbe: { httpGet: { path: '/readyz', port: 'grpc' } } };
    expect(probeProblems(wrongPath, 8082)).toEqual([expect.stringContaining('readinessProbe asks /healthz')]);
    expect(probeProblems(wrongPort, 8082)).toEqual([expect.stringContaining('readinessProbe goes to port grpc')]);
    expect(probeProblems({ ...container, livenessProbe: undefined } as never, 8082)).toEqual([expect.stringContaining('no livenessProbe')]);
  });

  it('a root user, a writable root filesystem and missing requests', () => {
    const deployment = deploymentOf(objects, 'console');
    const container = mainContainer(deployment);
    const pod = { ...deployment.spec.template.spec, securityContext: { runAsUser: 0 } };
    expect(securityProblems(pod, { ...container, securityContext: { ...container.securityContext, readOnlyRootFilesystem: false } })).toEqual(
      expect.arrayContaining([expect.stringContaining('runAsNonRoot'), expect.stringContaining('runAsUser'), expect.stringContaining('writable')]),
    );
    expect(resourceProblems({ ...container, resources: { limits: { memory: '1Gi' } } })).toHaveLength(2);
  });

  it('a secret in a ConfigMap: by name, by value, or inside a URL', () => {
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'leaky' } };
    expect(configMapSecretProblems({ ...configMap, data: { CONSOLE_SESSION_SECRET: 'x'.repeat(40) } }, secret.values)).toHaveLength(1);
    expect(configMapSecretProblems({ ...configMap, data: { SOMETHING: secret.values['INTAKE_MASTER_KEY'] ?? '' } }, secret.values)).toHaveLength(1);
    expect(configMapSecretProblems({ ...configMap, data: { UPSTREAM: 'mongodb://kindred:hunter2@mongo-0/' } }, secret.values)).toHaveLength(1);
  });
});
