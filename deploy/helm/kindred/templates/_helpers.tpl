{{/* Names and labels shared by every object of the chart. */}}
{{- define "kindred.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "kindred.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "kindred.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "kindred.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "kindred.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "kindred.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: kindred
{{- end -}}

{{/* Selector labels of one component: call with (dict "root" $ "component" "intake"). */}}
{{- define "kindred.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kindred.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "kindred.secretName" -}}
{{- if .Values.secrets.existingSecret -}}
{{- .Values.secrets.existingSecret -}}
{{- else -}}
{{- printf "%s-secrets" (include "kindred.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "kindred.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "kindred.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "kindred.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/*
The processes the chart runs. Each: the component name, the entry file in the image, its values, the ConfigMap it
reads, its listening ports (name, variable, number, Service or not), and the notifier's mode.
*/}}
{{- define "kindred.components" -}}
{{- $v := .Values -}}
intake:
  entry: services/intake/src/main.ts
  valuesKey: intake
  configMap: intake
  ports:
    - { name: http, variable: INTAKE_HTTP_PORT, number: {{ $v.intake.ports.http }} }
    - { name: grpc, variable: INTAKE_GRPC_PORT, number: {{ $v.intake.ports.grpc }} }
matching:
  entry: services/matching/src/main.ts
  valuesKey: matching
  configMap: matching
  ports:
    - { name: http, variable: MATCHING_HTTP_PORT, number: {{ $v.matching.ports.http }} }
    - { name: grpc, variable: MATCHING_GRPC_PORT, number: {{ $v.matching.ports.grpc }} }
notifier:
  entry: services/notifier/src/main.ts
  valuesKey: notifier
  configMap: notifier
  mode: all
  ports:
    - { name: http, variable: NOTIFIER_HTTP_PORT, number: {{ $v.notifier.ports.http }} }
{{- if $v.notifier.workers.enabled }}
notifier-workers:
  entry: services/notifier/src/main.ts
  valuesKey: notifier
  workers: true
  configMap: notifier
  mode: workers
  ports:
    - { name: http, variable: NOTIFIER_HTTP_PORT, number: {{ $v.notifier.ports.http }} }
{{- end }}
console:
  entry: services/console/src/main.ts
  valuesKey: console
  configMap: console
  ports:
    - { name: http, variable: CONSOLE_HTTP_PORT, number: {{ $v.console.ports.http }} }
{{- end -}}

{{/* The values of one component: the workers Deployment takes its sizes from notifier.workers. */}}
{{- define "kindred.componentValues" -}}
{{- $values := index .root.Values .spec.valuesKey -}}
{{- if .spec.workers -}}
{{- toYaml (merge (deepCopy $values.workers) (omit $values "workers" "replicas" "resources" "autoscaling" "pdb")) -}}
{{- else -}}
{{- toYaml $values -}}
{{- end -}}
{{- end -}}

{{/* "topic=partitions topic=partitions …", sorted, for the topics Job. */}}
{{- define "kindred.topicSpecs" -}}
{{- $specs := list -}}
{{- range $topic, $partitions := .Values.topics.partitions -}}
{{- $specs = append $specs (printf "%s=%v" $topic $partitions) -}}
{{- end -}}
{{- join " " $specs -}}
{{- end -}}
