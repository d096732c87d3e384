{{/*
Names and labels. A service's objects are named after the service (identity-service, ...), so that
the ConfigMap is <service>-config and the Secret <service>-config-creds whatever the release is
called; one memberpulse per namespace.
*/}}
{{- define "memberpulse-common.fullname" -}}
{{- default .Chart.Name .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "memberpulse-common.selectorLabels" -}}
app.kubernetes.io/name: {{ include "memberpulse-common.fullname" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "memberpulse-common.labels" -}}
{{ include "memberpulse-common.selectorLabels" . }}
app.kubernetes.io/version: {{ include "memberpulse-common.imageTag" . | quote }}
app.kubernetes.io/component: service
app.kubernetes.io/part-of: memberpulse
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* global.* (set once in the umbrella chart) fills whatever the service's own values leave empty. */}}
{{- define "memberpulse-common.imageTag" -}}
{{- $global := .Values.global | default dict -}}
{{- $gimage := $global.image | default dict -}}
{{- .Values.image.tag | default $gimage.tag | default .Chart.AppVersion | toString -}}
{{- end -}}

{{- define "memberpulse-common.image" -}}
{{- $global := .Values.global | default dict -}}
{{- $gimage := $global.image | default dict -}}
{{- $registry := .Values.image.registry | default $gimage.registry -}}
{{- $repository := required "image.repository is required" .Values.image.repository -}}
{{- $tag := include "memberpulse-common.imageTag" . -}}
{{- if eq (include "memberpulse-common.native" .) "true" -}}
{{- $tag = printf "%s%s" $tag (.Values.image.nativeTagSuffix | default "-native") -}}
{{- end -}}
{{- if $registry -}}
{{- printf "%s/%s:%s" (trimSuffix "/" $registry) $repository $tag -}}
{{- else -}}
{{- printf "%s:%s" $repository $tag -}}
{{- end -}}
{{- end -}}

{{/* "true" when the native-micro image runs (image.native for one service, global.image.native for all). */}}
{{- define "memberpulse-common.native" -}}
{{- $global := .Values.global | default dict -}}
{{- $gimage := $global.image | default dict -}}
{{- .Values.image.native | default $gimage.native | default false -}}
{{- end -}}

{{- define "memberpulse-common.pullPolicy" -}}
{{- $global := .Values.global | default dict -}}
{{- $gimage := $global.image | default dict -}}
{{- .Values.image.pullPolicy | default $gimage.pullPolicy | default "IfNotPresent" -}}
{{- end -}}

{{- define "memberpulse-common.secretName" -}}
{{- $global := .Values.global | default dict -}}
{{- $gcreds := $global.credentials | default dict -}}
{{- .Values.credentials.existingSecret | default $gcreds.existingSecret | default (printf "%s-config-creds" (include "memberpulse-common.fullname" .)) -}}
{{- end -}}

{{/*
The non-secret environment of the service: exactly the variables its application.properties reads.
*/}}
{{- define "memberpulse-common.configData" -}}
{{- $global := .Values.global | default dict -}}
{{- $gpg := $global.postgres | default dict -}}
{{- $gredis := $global.redis | default dict -}}
{{- $gkafka := $global.kafka | default dict -}}
{{- $gauth := $global.auth | default dict -}}
{{- $auth := .Values.auth | default dict -}}
HTTP_PORT: {{ required "ports.http is required" .Values.ports.http | quote }}
GRPC_PORT: {{ required "ports.grpc is required" .Values.ports.grpc | quote }}
POSTGRES_HOST: {{ .Values.postgres.host | default $gpg.host | default "postgresql" | quote }}
POSTGRES_PORT: {{ .Values.postgres.port | default $gpg.port | default 5432 | quote }}
POSTGRES_DB: {{ required "postgres.database is required" .Values.postgres.database | quote }}
REDIS_HOST: {{ .Values.redis.host | default $gredis.host | default "redis" | quote }}
REDIS_PORT: {{ .Values.redis.port | default $gredis.port | default 6379 | quote }}
{{- with .Values.redis.keyPrefix }}
REDIS_KEY_PREFIX: {{ . | quote }}
{{- end }}
KAFKA_BOOTSTRAP_SERVERS: {{ .Values.kafka.bootstrapServers | default $gkafka.bootstrapServers | default "kafka:9092" | quote }}
{{- with $auth.publicKeyLocation | default $gauth.publicKeyLocation }}
MP_JWT_VERIFY_PUBLICKEY_LOCATION: {{ . | quote }}
{{- end }}
{{- with $auth.issuer | default $gauth.issuer }}
MEMBERPULSE_AUTH_ISSUER: {{ . | quote }}
{{- end }}
{{- range $key, $value := .Values.extraConfig }}
{{ $key }}: {{ $value | quote }}
{{- end }}
{{- end -}}

{{- define "memberpulse-common.javaOpts" -}}
{{- $opts := list (printf "-XX:MaxRAMPercentage=%s" (toString .Values.jvm.maxRAMPercentage)) -}}
{{- with .Values.jvm.options }}{{ $opts = append $opts . }}{{ end -}}
{{- join " " $opts -}}
{{- end -}}
