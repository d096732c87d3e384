{{- define "memberpulse-common.configmap" -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "memberpulse-common.fullname" . }}-config
  labels:
    {{- include "memberpulse-common.labels" . | nindent 4 }}
data:
  {{- include "memberpulse-common.configData" . | nindent 2 }}
{{- end -}}

{{/*
The credentials Secret is normally created outside the chart (kubectl, sealed-secrets, an external
secrets operator) and only referenced; credentials.create=true writes one from values, for trials.
*/}}
{{- define "memberpulse-common.secret" -}}
{{- if .Values.credentials.create }}
apiVersion: v1
kind: Secret
metadata:
  name: {{ include "memberpulse-common.secretName" . }}
  labels:
    {{- include "memberpulse-common.labels" . | nindent 4 }}
type: Opaque
stringData:
  POSTGRES_USER: {{ required "credentials.postgresUser is required when credentials.create=true" .Values.credentials.postgresUser | quote }}
  POSTGRES_PASSWORD: {{ required "credentials.postgresPassword is required when credentials.create=true" .Values.credentials.postgresPassword | quote }}
{{- end }}
{{- end -}}
