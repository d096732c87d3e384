{{/* Prometheus Operator scrape of /q/metrics (needs the monitoring.coreos.com CRDs). */}}
{{- define "memberpulse-common.servicemonitor" -}}
{{- if .Values.serviceMonitor.enabled }}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "memberpulse-common.fullname" . }}
  labels:
    {{- include "memberpulse-common.labels" . | nindent 4 }}
    {{- with .Values.serviceMonitor.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  # The job label of every series is then the service's name (the dashboard and alerts rely on it).
  jobLabel: app.kubernetes.io/name
  selector:
    matchLabels:
      {{- include "memberpulse-common.selectorLabels" . | nindent 6 }}
  endpoints:
    - port: http
      path: /q/metrics
      interval: {{ .Values.serviceMonitor.interval }}
      scrapeTimeout: {{ .Values.serviceMonitor.scrapeTimeout }}
{{- end }}
{{- end -}}
