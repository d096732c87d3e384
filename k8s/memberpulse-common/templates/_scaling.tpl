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
KEDA scales a Kafka consumer on its group's lag (it then owns the HPA, so ours is not rendered).
More replicas than the topic has partitions would sit idle: keep maxReplicas <= partitions.
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
    - type: kafka
      metadata:
        bootstrapServers: {{ .Values.kafka.bootstrapServers | default $gkafka.bootstrapServers | default "kafka:9092" | quote }}
        consumerGroup: {{ required "keda.consumerGroup is required: only services that consume a topic scale on lag" $keda.consumerGroup | quote }}
        topic: {{ required "keda.topic is required: only services that consume a topic scale on lag" $keda.topic | quote }}
        lagThreshold: {{ $keda.lagThreshold | quote }}
        offsetResetPolicy: earliest
        allowIdleConsumers: "false"
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
  {{- if .Values.podDisruptionBudget.minAvailable }}
  minAvailable: {{ .Values.podDisruptionBudget.minAvailable }}
  {{- else }}
  maxUnavailable: {{ .Values.podDisruptionBudget.maxUnavailable | default 1 }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "memberpulse-common.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end -}}
