{{- define "memberpulse-common.hpa" -}}
{{- $keda := .Values.keda | default dict -}}
{{- if and .Values.autoscaling.enabled (not $keda.enabled) }}
{{- $a := .Values.autoscaling -}}
{{- if gt (int $a.minReplicas) (int $a.maxReplicas) }}
{{- fail (printf "autoscaling.minReplicas (%v) must not exceed autoscaling.maxReplicas (%v)" $a.minReplicas $a.maxReplicas) }}
{{- end }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "memberpulse-common.fullname" . }}
  labels:
    {{- include "memberpulse-common.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "memberpulse-common.fullname" . }}
  minReplicas: {{ $a.minReplicas }}
  maxReplicas: {{ $a.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $a.targetCPUUtilizationPercentage }}
    {{- with $a.targetMemoryUtilizationPercentage }}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {{ . }}
    {{- end }}
  behavior:
    scaleDown:
      # Consumers rebalance on every change: shrink slowly.
      stabilizationWindowSeconds: {{ $a.scaleDownStabilizationSeconds }}
{{- end }}
{{- end -}}

{{/*
KEDA scales a Kafka consumer on its group's lag on each topic it consumes (it then owns the HPA, so ours is not
rendered). More replicas than a topic has partitions would sit idle: keep maxReplicas <= partitions.
*/}}
{{- define "memberpulse-common.scaledobject" -}}
{{- $keda := .Values.keda | default dict -}}
{{- if $keda.enabled }}
{{- $global := .Values.global | default dict -}}
{{- $gkafka := $global.kafka | default dict -}}
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: {{ include "memberpulse-common.fullname" . }}
  labels:
    {{- include "memberpulse-common.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    name: {{ include "memberpulse-common.fullname" . }}
  minReplicaCount: {{ $keda.minReplicas }}
  maxReplicaCount: {{ $keda.maxReplicas }}
  pollingInterval: {{ $keda.pollingInterval }}
  cooldownPeriod: {{ $keda.cooldownPeriod }}
  triggers:
    {{- if $keda.topic }}
    {{- fail "keda.topic was replaced by keda.topics: the list of every topic the service consumes" }}
    {{- end }}
    {{- $bootstrap := .Values.kafka.bootstrapServers | default $gkafka.bootstrapServers | default "kafka:9092" }}
    {{- $group := required "keda.consumerGroup is required: only services that consume a topic scale on lag" $keda.consumerGroup }}
    {{- $k := include "memberpulse-common.kafkaSecurity" . | fromJson }}
    {{- $auth := include "memberpulse-common.kedaNeedsAuth" . }}
    {{- $fullname := include "memberpulse-common.fullname" . }}
    {{- /* One trigger per topic (the HPA follows the largest): a backlog on any consumed topic adds replicas. */}}
    {{- range $topic := required "keda.topics is required: every topic the service consumes" $keda.topics }}
    - type: kafka
      metadata:
        bootstrapServers: {{ $bootstrap | quote }}
        consumerGroup: {{ $group | quote }}
        topic: {{ $topic | quote }}
        lagThreshold: {{ $keda.lagThreshold | quote }}
        offsetResetPolicy: earliest
        allowIdleConsumers: "false"
        {{- if $k.sasl.existingSecret }}
        sasl: {{ get (dict "SCRAM-SHA-512" "scram_sha512" "SCRAM-SHA-256" "scram_sha256" "PLAIN" "plaintext") $k.sasl.mechanism | quote }}
        {{- end }}
        {{- if hasSuffix "SSL" $k.protocol }}
        tls: enable
        {{- end }}
      {{- if $auth }}
      authenticationRef:
        name: {{ $fullname }}-kafka
      {{- end }}
    {{- end }}
{{- end }}
{{- end -}}

{{- define "memberpulse-common.kedaNeedsAuth" -}}
{{- $k := include "memberpulse-common.kafkaSecurity" . | fromJson -}}
{{- if or $k.sasl.existingSecret $k.truststore.secretName $k.truststore.configMapName }}true{{ end -}}
{{- end -}}

{{/*
KEDA's Kafka scaler reads the consumer group's lag with the same Kafka user and CA as the service, from
the same Secrets (a TriggerAuthentication only names Secret keys).
*/}}
{{- define "memberpulse-common.triggerauthentication" -}}
{{- $keda := .Values.keda | default dict -}}
{{- if and $keda.enabled (include "memberpulse-common.kedaNeedsAuth" .) }}
{{- $k := include "memberpulse-common.kafkaSecurity" . | fromJson -}}
{{- if $k.sasl.jaasConfigKey }}
{{- fail "keda.enabled with kafka.security.sasl.jaasConfigKey: KEDA needs the user's name and password as Secret keys (usernameKey/passwordKey)" }}
{{- end }}
{{- if or $k.truststore.configMapName (ne $k.truststore.type "PEM") }}
{{- if or $k.truststore.secretName $k.truststore.configMapName }}
{{- fail "keda.enabled with a Kafka truststore: KEDA reads the CA only as PEM from a Secret (truststore.secretName, type PEM)" }}
{{- end }}
{{- end }}
apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata:
  name: {{ include "memberpulse-common.fullname" . }}-kafka
  labels:
    {{- include "memberpulse-common.labels" . | nindent 4 }}
spec:
  secretTargetRef:
    {{- if $k.sasl.existingSecret }}
    - parameter: username
      name: {{ $k.sasl.existingSecret }}
      key: {{ $k.sasl.usernameKey }}
    - parameter: password
      name: {{ $k.sasl.existingSecret }}
      key: {{ $k.sasl.passwordKey }}
    {{- end }}
    {{- if $k.truststore.secretName }}
    - parameter: ca
      name: {{ $k.truststore.secretName }}
      key: {{ $k.truststore.key }}
    {{- end }}
{{- end }}
{{- end -}}

{{/*
A single-writer service runs exactly one pod. identity-service stitches imports through one in-memory
identity graph per process, guarded by a PostgreSQL advisory lock: a second pod is an unready standby
(readiness DOWN, so its Service never routes to it), adds no capacity, and with a PodDisruptionBudget of
maxUnavailable 1 it would use up the budget and block node drains. Its chart's template includes this
before memberpulse-common.all, so no value can turn it off.
*/}}
{{- define "memberpulse-common.singleWriter" -}}
{{- $keda := .Values.keda | default dict -}}
{{- $name := include "memberpulse-common.fullname" . -}}
{{- if gt (int .Values.replicaCount) 1 }}
{{- fail (printf "%s is a single writer (a PostgreSQL advisory lock; a second pod is only an unready standby): replicaCount must be 0 or 1, not %v" $name .Values.replicaCount) }}
{{- end }}
{{- if (.Values.autoscaling | default dict).enabled }}
{{- fail (printf "%s is a single writer (a PostgreSQL advisory lock; a second pod is only an unready standby): autoscaling.enabled must be false" $name) }}
{{- end }}
{{- if $keda.enabled }}
{{- fail (printf "%s is a single writer (a PostgreSQL advisory lock; a second pod is only an unready standby): keda.enabled must be false" $name) }}
{{- end }}
{{- end -}}

{{- define "memberpulse-common.pdb" -}}
{{- if .Values.podDisruptionBudget.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "memberpulse-common.fullname" . }}
  labels:
    {{- include "memberpulse-common.labels" . | nindent 4 }}
spec:
  {{- /* 0 is a real value here (maxUnavailable 0: no voluntary eviction), so unset means null or "", not falsy. */}}
  {{- $pdb := .Values.podDisruptionBudget }}
  {{- $minAvailable := $pdb.minAvailable }}
  {{- $maxUnavailable := $pdb.maxUnavailable }}
  {{- if not (or (kindIs "invalid" $minAvailable) (and (kindIs "string" $minAvailable) (eq $minAvailable ""))) }}
  minAvailable: {{ $minAvailable }}
  {{- else if not (or (kindIs "invalid" $maxUnavailable) (and (kindIs "string" $maxUnavailable) (eq $maxUnavailable ""))) }}
  maxUnavailable: {{ $maxUnavailable }}
  {{- else }}
  maxUnavailable: 1
  {{- end }}
  selector:
    matchLabels:
      {{- include "memberpulse-common.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end -}}
