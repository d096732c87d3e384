{{- define "memberpulse.labels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: memberpulse
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* The services' job label values (ServiceMonitor jobLabel = the Service's name). */}}
{{- define "memberpulse.jobs" -}}
identity-service|rfm-service|churn-service|campaign-service
{{- end -}}
