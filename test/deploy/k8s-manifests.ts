import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

/** Reads the plain manifests (deploy/k8s/*.yaml) the way kubectl apply -f deploy/k8s/ would see them. */

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const manifestsDir = `${repoRoot}deploy/k8s/`;

export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly [field: string]: unknown;
}

export interface Probe {
  readonly httpGet?: { readonly path: string; readonly port: string | number };
}

export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: {
    readonly secretKeyRef?: { readonly name: string; readonly key: string };
    readonly configMapKeyRef?: { readonly name: string; readonly key: string };
  };
}

export interface Container {
  readonly name: string;
  readonly image: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly ports?: readonly { readonly name?: string; readonly containerPort: number }[];
  readonly env?: readonly EnvVar[];
  readonly envFrom?: readonly { readonly configMapRef?: { readonly name: string }; readonly secretRef?: { readonly name: string } }[];
  readonly resources?: { readonly requests?: Record<string, string>; readonly limits?: Record<string, string> };
  readonly securityContext?: {
    readonly runAsNonRoot?: boolean;
    readonly runAsUser?: number;
    readonly readOnlyRootFilesystem?: boolean;
    readonly allowPrivilegeEscalation?: boolean;
    readonly capabilities?: { readonly drop?: readonly string[] };
  };
  readonly readinessProbe?: Probe;
  readonly livenessProbe?: Probe;
  readonly startupProbe?: Probe;
  readonly volumeMounts?: readonly { readonly name: string; readonly mountPath: string }[];
}

export interface PodSpec {
  readonly containers: readonly Container[];
  readonly securityContext?: { readonly runAsNonRoot?: boolean; readonly runAsUser?: number };
  readonly volumes?: readonly { readonly name: string; readonly emptyDir?: unknown }[];
}

export interface Deployment extends K8sObject {
  readonly spec: {
    readonly replicas?: number;
    readonly selector: { readonly matchLabels: Record<string, string> };
    readonly template: { readonly metadata: { readonly labels: Record<string, string> }; readonly spec: PodSpec };
  };
}

export interface Service extends K8sObject {
  readonly spec: {
    readonly selector: Record<string, string>;
    readonly ports: readonly { readonly name?: string; readonly port: number; readonly targetPort?: string | number }[];
  };
}

export interface ConfigMap extends K8sObject {
  readonly data?: Record<string, string>;
}

export interface Job extends K8sObject {
  readonly spec: { readonly template: { readonly spec: PodSpec } };
}

export function loadManifests(dir = manifestsDir): K8sObject[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'render-values.yaml').sort();
  const objects: K8sObject[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(`${dir}${file}`, 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
      const value = doc.toJS() as K8sObject | null;
      if (value !== null) objects.push(value);
    }
  }
  return objects;
}

export const ofKind = <T extends K8sObject>(objects: readonly K8sObject[], kind: string): T[] => objects.filter((o) => o.kind === kind) as T[];

export function named<T extends K8sObject>(objects: readonly K8sObject[], kind: string, name: string): T {
  const found = ofKind<T>(objects, kind).find((o) => o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} named ${name}`);
  return found;
}

export const COMPONENT_LABEL = 'app.kubernetes.io/component';

export function deploymentOf(objects: readonly K8sObject[], component: string): Deployment {
  const found = ofKind<Deployment>(objects, 'Deployment').filter((d) => d.spec.template.metadata.labels[COMPONENT_LABEL] === component);
  if (found.length !== 1) throw new Error(`expected one Deployment of component ${component}, found ${found.length}`);
  return found[0] as Deployment;
}

export const selects = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

/** The one application container of a Deployment. */
export function mainContainer(deployment: Deployment): Container {
  const containers = deployment.spec.template.spec.containers;
  if (containers.length !== 1) throw new Error(`${deployment.metadata.name}: expected one container, found ${containers.length}`);
  return containers[0] as Container;
}

/**
 * What a Secret created by following deploy/k8s/README.md holds: one realistic value per key, fresh per run. A key
 * the manifests name but this list lacks is an error, so a new secret cannot slip in undocumented.
 */
export function sampleSecretValues(): Record<string, string> {
  const hex = (bytes: number) => randomBytes(bytes).toString('hex');
  return {
    MONGO_URL: `mongodb://kindred:${hex(8)}@mongo-0.mongo,mongo-1.mongo,mongo-2.mongo/?replicaSet=rs0&authSource=admin`,
    REDIS_URL: `redis://:${hex(8)}@redis-master:6379`,
    SMTP_URL: `smtp://kindred:${hex(8)}@smtp.example.org:587`,
    INTAKE_MASTER_KEY: hex(32),
    INTAKE_BLIND_INDEX_KEY: hex(32),
    INTAKE_DIRECTORY_TOKEN: hex(24),
    INTAKE_ADMIN_TOKEN: hex(24),
    MATCHING_SERVICE_TOKEN: hex(24),
    CONSOLE_SESSION_SECRET: hex(32),
    NOTIFIER_COORDINATOR_TOKEN: hex(24),
    TWILIO_ACCOUNT_SID: `AC${hex(16)}`,
    TWILIO_AUTH_TOKEN: hex(16),
  };
}

/**
 * The environment a container starts with, resolved as the kubelet does: envFrom first, then env in order, with
 * $(VAR) in a value expanded from the variables defined before it (an unknown reference stays as written).
 */
export function containerEnvironment(
  container: Container,
  objects: readonly K8sObject[],
  secret: { readonly name: string; readonly values: Readonly<Record<string, string>> },
): Record<string, string> {
  const env: Record<string, string> = {};
  const configMap = (name: string): Record<string, string> => named<ConfigMap>(objects, 'ConfigMap', name).data ?? {};
  const secretValue = (ref: { name: string; key: string }): string => {
    if (ref.name !== secret.name) throw new Error(`${container.name} reads Secret ${ref.name}; the manifests' Secret is ${secret.name}`);
    const value = secret.values[ref.key];
    if (value === undefined) throw new Error(`${container.name} reads Secret key ${ref.key}, which the documented Secret does not have`);
    return value;
  };
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) Object.assign(env, configMap(source.configMapRef.name));
    if (source.secretRef) throw new Error(`${container.name}: envFrom a whole Secret hands a service every secret; name each one`);
  }
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) {
      env[variable.name] = variable.value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => env[name] ?? whole);
    } else if (variable.valueFrom?.secretKeyRef) {
      env[variable.name] = secretValue(variable.valueFrom.secretKeyRef);
    } else if (variable.valueFrom?.configMapKeyRef) {
      const ref = variable.valueFrom.configMapKeyRef;
      const value = configMap(ref.name)[ref.key];
      if (value === undefined) throw new Error(`${container.name}: ConfigMap ${ref.name} has no key ${ref.key}`);
      env[variable.name] = value;
    } else {
      throw new Error(`${container.name}: variable ${variable.name} has neither a value nor a source this check knows`);
    }
  }
  return env;
}

/** The container port a probe or a Service's targetPort points at, by name or number. */
export function resolvePort(container: Container, port: string | number | undefined): number | undefined {
  if (port === undefined) return undefined;
  const ports = container.ports ?? [];
  if (typeof port === 'number') return ports.some((p) => p.containerPort === port) ? port : undefined;
  return ports.find((p) => p.name === port)?.containerPort;
}

/** Problems with a container's probes: readiness on /readyz and liveness on /healthz, both on the service's HTTP port. */
export function probeProblems(container: Container, httpPort: number): string[] {
  const problems: string[] = [];
  const expect = (kind: 'readinessProbe' | 'livenessProbe' | 'startupProbe', path: string, required: boolean) => {
    const probe = container[kind];
    if (!probe) {
      if (required) problems.push(`${container.name}: no ${kind}`);
      return;
    }
    if (!probe.httpGet) return void problems.push(`${container.name}: ${kind} is not an HTTP GET`);
    if (probe.httpGet.path !== path) problems.push(`${container.name}: ${kind} asks ${probe.httpGet.path}, the service answers ${path}`);
    const port = resolvePort(container, probe.httpGet.port);
    if (port !== httpPort) problems.push(`${container.name}: ${kind} goes to port ${String(probe.httpGet.port)} (${String(port)}), the service listens on ${httpPort}`);
  };
  expect('readinessProbe', '/readyz', true);
  expect('livenessProbe', '/healthz', true);
  expect('startupProbe', '/healthz', false);
  return problems;
}

/** Problems with a pod's privileges: it must run as a non-root user on a read-only root filesystem. */
export function securityProblems(pod: PodSpec, container: Container): string[] {
  const problems: string[] = [];
  const context = container.securityContext ?? {};
  const runAsNonRoot = context.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
  const runAsUser = context.runAsUser ?? pod.securityContext?.runAsUser;
  if (runAsNonRoot !== true) problems.push(`${container.name}: runAsNonRoot is not true`);
  // The image's user is a name (node); the kubelet can prove non-root only for a numeric user.
  if (runAsUser === undefined || runAsUser === 0) problems.push(`${container.name}: no numeric non-root runAsUser`);
  if (context.readOnlyRootFilesystem !== true) problems.push(`${container.name}: root filesystem is writable`);
  if (context.allowPrivilegeEscalation !== false) problems.push(`${container.name}: privilege escalation is allowed`);
  if (!(context.capabilities?.drop ?? []).includes('ALL')) problems.push(`${container.name}: capabilities are not all dropped`);
  const tmp = container.volumeMounts?.find((m) => m.mountPath === '/tmp');
  const volume = tmp && pod.volumes?.find((v) => v.name === tmp.name);
  if (!volume?.emptyDir) problems.push(`${container.name}: /tmp (tsx's compile cache) is not a writable emptyDir`);
  return problems;
}

export function resourceProblems(container: Container): string[] {
  const problems: string[] = [];
  for (const resource of ['cpu', 'memory']) {
    if (!container.resources?.requests?.[resource]) problems.push(`${container.name}: no ${resource} request`);
  }
  if (!container.resources?.limits?.['memory']) problems.push(`${container.name}: no memory limit`);
  return problems;
}

/** Variable names that hold a credential: they belong in a Secret, never in a ConfigMap or a literal value. */
export const SECRET_LIKE_NAME = /(KEY|TOKEN|SECRET|PASSWORD|PASS|CREDENTIAL|AUTH|ACCOUNT_SID|MONGO_URL|REDIS_URL|SMTP_URL)/;

/** Problems with a ConfigMap's contents: secret-looking keys, URLs that carry a user or password, known secret values. */
export function configMapSecretProblems(configMap: ConfigMap, secretValues: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  const secrets = new Set(Object.values(secretValues));
  for (const [key, value] of Object.entries(configMap.data ?? {})) {
    if (SECRET_LIKE_NAME.test(key) || key in secretValues) problems.push(`${configMap.metadata.name}: ${key} is a secret setting`);
    if (secrets.has(value)) problems.push(`${configMap.metadata.name}: ${key} holds a secret value`);
    for (const candidate of value.split(',')) {
      try {
        const url = new URL(candidate.trim());
        if (url.username !== '' || url.password !== '') problems.push(`${configMap.metadata.name}: ${key} is a URL with credentials`);
      } catch {
        // not a URL
      }
    }
  }
  return problems;
}

/** "topic=partitions topic=partitions" (the topics Job's KINDRED_TOPICS) as a map. */
export function topicPartitions(spec: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const entry of spec.split(/\s+/).filter((s) => s.length > 0)) {
    const at = entry.lastIndexOf('=');
    map.set(entry.slice(0, at), Number(entry.slice(at + 1)));
  }
  return map;
}

/** The keys a person following deploy/k8s/README.md puts in the Secret (its `--from-literal=KEY=` lines). */
export function readmeSecretKeys(): string[] {
  const readme = readFileSync(`${manifestsDir}README.md`, 'utf8');
  return [...readme.matchAll(/--from-literal=([A-Z0-9_]+)=/g)].map((m) => m[1] as string);
}
