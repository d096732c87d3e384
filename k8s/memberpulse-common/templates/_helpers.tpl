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

{{/*
"true" when the native-micro image runs: image.native for one service when set (true or false), else
global.image.native for all. Decided by kind, not with default: default takes a service's false for unset.
*/}}
{{- define "memberpulse-common.native" -}}
{{- $global := .Values.global | default dict -}}
{{- $gimage := $global.image | default dict -}}
{{- $native := false -}}
{{- range $setting := list (list "global.image.native" $gimage.native) (list "image.native" .Values.image.native) -}}
{{- $value := index $setting 1 -}}
{{- if kindIs "bool" $value -}}
{{- $native = $value -}}
{{- else if not (kindIs "invalid" $value) -}}
{{- fail (printf "%s is %v: it must be true or false (or unset)" (index $setting 0) $value) -}}
{{- end -}}
{{- end -}}
{{- $native -}}
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
{{- /* Installs in two namespaces sharing one Redis must not share keys: unless set, the prefix names the namespace. */}}
REDIS_KEY_PREFIX: {{ .Values.redis.keyPrefix | default (printf "mp:%s:%s:" .Release.Namespace (trimSuffix "-service" .Chart.Name)) | quote }}
KAFKA_BOOTSTRAP_SERVERS: {{ .Values.kafka.bootstrapServers | default $gkafka.bootstrapServers | default "kafka:9092" | quote }}
{{- with .Values.postgres.pool }}
QUARKUS_DATASOURCE_REACTIVE_MAX_SIZE: {{ required "postgres.pool.reactiveMaxSize is required" .reactiveMaxSize | quote }}
QUARKUS_DATASOURCE_JDBC_MAX_SIZE: {{ required "postgres.pool.jdbcMaxSize is required" .jdbcMaxSize | quote }}
{{- end }}
{{- $shutdown := include "memberpulse-common.shutdown" . | fromJson }}
SHUTDOWN_DELAY: {{ printf "%ds" (int $shutdown.delay) | quote }}
SHUTDOWN_TIMEOUT: {{ printf "%ds" (int $shutdown.timeout) | quote }}
{{- include "memberpulse-common.datastoreSecurityConfig" . }}
{{- include "memberpulse-common.kafkaSecurityConfig" . }}
{{- with $auth.publicKeyLocation | default $gauth.publicKeyLocation }}
{{- /* Keys fetched in the clear could be swapped on the way: whoever did could sign analyst tokens. */}}
{{- if regexMatch "(?i)^http://" . }}
{{- fail (printf "auth.publicKeyLocation %s is plain http: the token keys must come over https (or from a mounted file)" .) }}
{{- end }}
MP_JWT_VERIFY_PUBLICKEY_LOCATION: {{ . | quote }}
{{- end }}
{{- with $auth.issuer | default $gauth.issuer }}
MEMBERPULSE_AUTH_ISSUER: {{ . | quote }}
{{- end }}
{{- with $auth.audience | default $gauth.audience }}
MEMBERPULSE_AUTH_AUDIENCE: {{ . | quote }}
{{- end }}
{{- range $key, $value := .Values.extraConfig }}
{{ $key }}: {{ $value | quote }}
{{- end }}
{{- end -}}

{{- define "memberpulse-common.javaOpts" -}}
{{- /* ExitOnOutOfMemoryError: a JVM out of heap exits, so the kubelet restarts the pod instead of it limping on. */ -}}
{{- $opts := list (printf "-XX:MaxRAMPercentage=%s" (toString .Values.jvm.maxRAMPercentage)) "-XX:+ExitOnOutOfMemoryError" -}}
{{- with .Values.jvm.options }}{{ $opts = append $opts . }}{{ end -}}
{{- join " " $opts -}}
{{- end -}}

{{/*
Kafka client security: kafka.security.* of the service, field by field, else global.kafka.security.*.
Passwords never reach the ConfigMap: they come from Secrets as env entries (kafkaSecurityEnv).
*/}}
{{- define "memberpulse-common.kafkaSecurity" -}}
{{- $global := .Values.global | default dict -}}
{{- $g := ($global.kafka | default dict).security | default dict -}}
{{- $s := (.Values.kafka | default dict).security | default dict -}}
{{- $gsasl := $g.sasl | default dict -}}
{{- $ssasl := $s.sasl | default dict -}}
{{- $gtrust := $g.truststore | default dict -}}
{{- $strust := $s.truststore | default dict -}}
{{- $protocol := $s.protocol | default $g.protocol | default "" -}}
{{- $sasl := dict
    "mechanism" ($ssasl.mechanism | default $gsasl.mechanism | default "")
    "existingSecret" ($ssasl.existingSecret | default $gsasl.existingSecret | default "")
    "usernameKey" ($ssasl.usernameKey | default $gsasl.usernameKey | default "username")
    "passwordKey" ($ssasl.passwordKey | default $gsasl.passwordKey | default "password")
    "jaasConfigKey" ($ssasl.jaasConfigKey | default $gsasl.jaasConfigKey | default "") -}}
{{- $trust := dict
    "secretName" ($strust.secretName | default $gtrust.secretName | default "")
    "configMapName" ($strust.configMapName | default $gtrust.configMapName | default "")
    "key" ($strust.key | default $gtrust.key | default "ca.crt")
    "type" ($strust.type | default $gtrust.type | default "PEM")
    "passwordKey" ($strust.passwordKey | default $gtrust.passwordKey | default "") -}}
{{- if and $protocol (not (has $protocol (list "PLAINTEXT" "SSL" "SASL_PLAINTEXT" "SASL_SSL"))) }}
{{- fail (printf "kafka.security.protocol %q must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL" $protocol) }}
{{- end }}
{{- if hasPrefix "SASL_" $protocol }}
{{- if not $sasl.mechanism }}{{ fail (printf "kafka.security.sasl.mechanism is required with %s (SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN)" $protocol) }}{{ end }}
{{- if not $sasl.existingSecret }}{{ fail (printf "kafka.security.sasl.existingSecret (the Secret with the Kafka user's credentials) is required with %s" $protocol) }}{{ end }}
{{- if and (not $sasl.jaasConfigKey) (not (has $sasl.mechanism (list "SCRAM-SHA-512" "SCRAM-SHA-256" "PLAIN"))) }}
{{- fail (printf "kafka.security.sasl.mechanism %s: set kafka.security.sasl.jaasConfigKey (a Secret key holding the whole JAAS line); username/password work for SCRAM-SHA-512, SCRAM-SHA-256 and PLAIN" $sasl.mechanism) }}
{{- end }}
{{- else if or $sasl.mechanism $sasl.existingSecret }}
{{- fail (printf "kafka.security.sasl.* is set but kafka.security.protocol is %q: use SASL_SSL or SASL_PLAINTEXT" ($protocol | default "PLAINTEXT")) }}
{{- end }}
{{- if and $trust.secretName $trust.configMapName }}
{{- fail "kafka.security.truststore: set secretName or configMapName, not both" }}
{{- end }}
{{- if and $trust.passwordKey (not $trust.secretName) }}
{{- fail "kafka.security.truststore.passwordKey needs truststore.secretName: a password never goes into a ConfigMap" }}
{{- end }}
{{- if and (or $trust.secretName $trust.configMapName) (not (hasSuffix "SSL" $protocol)) }}
{{- fail (printf "kafka.security.truststore is set but kafka.security.protocol is %q: use SSL or SASL_SSL" ($protocol | default "PLAINTEXT")) }}
{{- end }}
{{- toJson (dict "protocol" $protocol "sasl" $sasl "truststore" $trust) -}}
{{- end -}}

{{/* Where the broker's CA (or truststore) is mounted in the container. */}}
{{- define "memberpulse-common.kafkaTruststoreDir" -}}
/etc/memberpulse/kafka-truststore
{{- end -}}

{{/* The non-secret Kafka security variables, for the ConfigMap (nothing when the broker is plaintext). */}}
{{- define "memberpulse-common.kafkaSecurityConfig" -}}
{{- $k := include "memberpulse-common.kafkaSecurity" . | fromJson -}}
{{- with $k.protocol }}
KAFKA_SECURITY_PROTOCOL: {{ . | quote }}
{{- end }}
{{- with $k.sasl.mechanism }}
KAFKA_SASL_MECHANISM: {{ . | quote }}
{{- end }}
{{- if or $k.truststore.secretName $k.truststore.configMapName }}
KAFKA_SSL_TRUSTSTORE_LOCATION: {{ printf "%s/%s" (include "memberpulse-common.kafkaTruststoreDir" .) $k.truststore.key | quote }}
KAFKA_SSL_TRUSTSTORE_TYPE: {{ $k.truststore.type | quote }}
{{- end }}
{{- end -}}

{{/*
The secret ones, as container env entries read from Secrets. With username/password keys the JAAS line is
put together by Kubernetes ($(VAR) refers to an entry defined before it), so the password is only ever in
the Secret and the container's environment.
*/}}
{{- define "memberpulse-common.kafkaSecurityEnv" -}}
{{- $k := include "memberpulse-common.kafkaSecurity" . | fromJson -}}
{{- $sasl := $k.sasl -}}
{{- if $sasl.existingSecret }}
{{- if $sasl.jaasConfigKey }}
- name: KAFKA_SASL_JAAS_CONFIG
  valueFrom:
    secretKeyRef:
      name: {{ $sasl.existingSecret }}
      key: {{ $sasl.jaasConfigKey }}
{{- else }}
{{- $module := ternary "org.apache.kafka.common.security.plain.PlainLoginModule" "org.apache.kafka.common.security.scram.ScramLoginModule" (eq $sasl.mechanism "PLAIN") }}
- name: MEMBERPULSE_KAFKA_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ $sasl.existingSecret }}
      key: {{ $sasl.usernameKey }}
- name: MEMBERPULSE_KAFKA_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $sasl.existingSecret }}
      key: {{ $sasl.passwordKey }}
- name: KAFKA_SASL_JAAS_CONFIG
  value: {{ printf "%s required username=\"$(MEMBERPULSE_KAFKA_USERNAME)\" password=\"$(MEMBERPULSE_KAFKA_PASSWORD)\";" $module | quote }}
{{- end }}
{{- end }}
{{- with $k.truststore.passwordKey }}
- name: KAFKA_SSL_TRUSTSTORE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $k.truststore.secretName }}
      key: {{ . }}
{{- end }}
{{- end -}}

{{/*
A CA file from a Secret or a ConfigMap: the service's field, else the global one. Mounted read-only.
*/}}
{{- define "memberpulse-common.caFile" -}}
{{- $g := .global | default dict -}}
{{- $s := .service | default dict -}}
{{- $ca := dict
    "secretName" ($s.secretName | default $g.secretName | default "")
    "configMapName" ($s.configMapName | default $g.configMapName | default "")
    "key" ($s.key | default $g.key | default "ca.crt") -}}
{{- if and $ca.secretName $ca.configMapName }}
{{- fail (printf "%s: set secretName or configMapName, not both" .name) }}
{{- end }}
{{- toJson $ca -}}
{{- end -}}

{{/*
Redis sign-in and TLS, and PostgreSQL TLS: each field of the service's redis.* / postgres.*, else global.*.
The Redis password comes only from an existing Secret, as an env entry (datastoreSecurityEnv).
*/}}
{{- define "memberpulse-common.datastoreSecurity" -}}
{{- $global := .Values.global | default dict -}}
{{- $gredis := $global.redis | default dict -}}
{{- $sredis := .Values.redis | default dict -}}
{{- $gpg := $global.postgres | default dict -}}
{{- $spg := .Values.postgres | default dict -}}
{{- $tls := false -}}
{{- if kindIs "bool" $gredis.tls }}{{ $tls = $gredis.tls }}{{ end -}}
{{- if kindIs "bool" $sredis.tls }}{{ $tls = $sredis.tls }}{{ end -}}
{{- $gpw := $gredis.passwordSecret | default dict -}}
{{- $spw := $sredis.passwordSecret | default dict -}}
{{- $password := dict
    "name" ($spw.name | default $gpw.name | default "")
    "key" ($spw.key | default $gpw.key | default "password") -}}
{{- $username := $sredis.username | default $gredis.username | default "" -}}
{{- if and $username (not $password.name) }}
{{- fail "redis.username is set but redis.passwordSecret.name is not: a Redis ACL user signs in with its password" }}
{{- end }}
{{- $redisCa := include "memberpulse-common.caFile" (dict "name" "redis.ca" "global" $gredis.ca "service" $sredis.ca) | fromJson -}}
{{- $sredisCa := $sredis.ca | default dict -}}
{{- if and (or $redisCa.secretName $redisCa.configMapName) (not $tls) }}
{{- /* A service that turns TLS off drops the global CA; a CA set next to tls=false is a mistake. */ -}}
{{- if or $sredisCa.secretName $sredisCa.configMapName (not (kindIs "bool" $sredis.tls)) }}
{{- fail "redis.ca is set but redis.tls is false: set redis.tls=true (the CA checks the server's TLS certificate)" }}
{{- end }}
{{- $redisCa = dict "secretName" "" "configMapName" "" "key" $redisCa.key }}
{{- end }}
{{- $sslMode := $spg.sslMode | default $gpg.sslMode | default "" -}}
{{- if and $sslMode (not (has $sslMode (list "disable" "require" "verify-ca" "verify-full"))) }}
{{- fail (printf "postgres.sslMode %q must be disable, require, verify-ca or verify-full" $sslMode) }}
{{- end }}
{{- $pgCa := include "memberpulse-common.caFile" (dict "name" "postgres.ca" "global" $gpg.ca "service" $spg.ca) | fromJson -}}
{{- $pgHasCa := or $pgCa.secretName $pgCa.configMapName -}}
{{- $spgCa := $spg.ca | default dict -}}
{{- if and $pgHasCa (not (hasPrefix "verify-" $sslMode)) }}
{{- /* A service that sets a mode without checks drops the global CA; a CA next to such a mode is a mistake. */ -}}
{{- if or $spgCa.secretName $spgCa.configMapName (not $spg.sslMode) }}
{{- fail (printf "postgres.ca is set but postgres.sslMode is %q: use verify-ca or verify-full (require does not check the certificate)" ($sslMode | default "disable")) }}
{{- end }}
{{- $pgCa = dict "secretName" "" "configMapName" "" "key" $pgCa.key }}
{{- $pgHasCa = false }}
{{- end }}
{{- if and (hasPrefix "verify-" $sslMode) (not $pgHasCa) }}
{{- fail (printf "postgres.sslMode %s needs postgres.ca (secretName or configMapName): the JDBC driver Flyway uses reads the server's CA only from a file" $sslMode) }}
{{- end }}
{{- toJson (dict "redis" (dict "tls" $tls "username" $username "passwordSecret" $password "ca" $redisCa) "postgres" (dict "sslMode" $sslMode "ca" $pgCa)) -}}
{{- end -}}

{{/* Where the Redis and PostgreSQL CAs are mounted in the container. */}}
{{- define "memberpulse-common.redisCaDir" -}}
/etc/memberpulse/redis-ca
{{- end -}}
{{- define "memberpulse-common.postgresCaDir" -}}
/etc/memberpulse/postgres-ca
{{- end -}}

{{/* The non-secret Redis and PostgreSQL security variables, for the ConfigMap (nothing when unset). */}}
{{- define "memberpulse-common.datastoreSecurityConfig" -}}
{{- $d := include "memberpulse-common.datastoreSecurity" . | fromJson -}}
{{- if $d.redis.tls }}
REDIS_TLS: "true"
{{- end }}
{{- with $d.redis.username }}
REDIS_USERNAME: {{ . | quote }}
{{- end }}
{{- if or $d.redis.ca.secretName $d.redis.ca.configMapName }}
REDIS_TLS_CA_FILE: {{ printf "%s/%s" (include "memberpulse-common.redisCaDir" .) $d.redis.ca.key | quote }}
{{- end }}
{{- with $d.postgres.sslMode }}
POSTGRES_SSL_MODE: {{ . | quote }}
{{- end }}
{{- if or $d.postgres.ca.secretName $d.postgres.ca.configMapName }}
POSTGRES_SSL_ROOT_CERT: {{ printf "%s/%s" (include "memberpulse-common.postgresCaDir" .) $d.postgres.ca.key | quote }}
{{- end }}
{{- end -}}

{{/* The Redis password, as a container env entry read from its Secret. */}}
{{- define "memberpulse-common.datastoreSecurityEnv" -}}
{{- $d := include "memberpulse-common.datastoreSecurity" . | fromJson -}}
{{- with $d.redis.passwordSecret.name }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $d.redis.passwordSecret.key }}
{{- end }}
{{- end -}}

{{/*
The CA files to mount, as a JSON list of {name, dir, secretName, configMapName, key}: Kafka's truststore,
Redis' CA, PostgreSQL's CA, those that are set.
*/}}
{{- define "memberpulse-common.caMounts" -}}
{{- $kafka := (include "memberpulse-common.kafkaSecurity" . | fromJson).truststore -}}
{{- $d := include "memberpulse-common.datastoreSecurity" . | fromJson -}}
{{- $mounts := list -}}
{{- range $m := list
    (merge (dict "name" "kafka-truststore" "dir" (include "memberpulse-common.kafkaTruststoreDir" .)) $kafka)
    (merge (dict "name" "redis-ca" "dir" (include "memberpulse-common.redisCaDir" .)) $d.redis.ca)
    (merge (dict "name" "postgres-ca" "dir" (include "memberpulse-common.postgresCaDir" .)) $d.postgres.ca) }}
{{- if or $m.secretName $m.configMapName }}{{ $mounts = append $mounts $m }}{{ end }}
{{- end }}
{{- toJson (dict "mounts" $mounts) -}}
{{- end -}}

{{/*
Graceful shutdown, in seconds: the preStop sleep, Quarkus's shutdown delay (readiness DOWN, still serving) and
timeout (in-flight requests), and the pod's grace period. The kubelet kills the container when the grace period
ends, so it must cover all three plus 10 s for closing the Kafka, Redis and PostgreSQL clients.
*/}}
{{- define "memberpulse-common.shutdown" -}}
{{- $s := .Values.shutdown | default dict -}}
{{- $preStop := int ($s.preStopSleepSeconds | default 0) -}}
{{- $delay := int ($s.delaySeconds | default 0) -}}
{{- $timeout := int (required "shutdown.timeoutSeconds is required" $s.timeoutSeconds) -}}
{{- $grace := int (required "terminationGracePeriodSeconds is required" .Values.terminationGracePeriodSeconds) -}}
{{- if or (lt $preStop 0) (lt $delay 0) (lt $timeout 1) }}
{{- fail (printf "shutdown: preStopSleepSeconds (%d) and delaySeconds (%d) must not be negative, timeoutSeconds (%d) must be at least 1" $preStop $delay $timeout) }}
{{- end }}
{{- if lt $grace (add $preStop $delay $timeout 10) }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must be at least shutdown.preStopSleepSeconds (%d) + shutdown.delaySeconds (%d) + shutdown.timeoutSeconds (%d) + 10 s to close the clients, i.e. %d: the kubelet would kill %s mid-shutdown" $grace $preStop $delay $timeout (add $preStop $delay $timeout 10) (include "memberpulse-common.fullname" .)) }}
{{- end }}
{{- dict "preStop" $preStop "delay" $delay "timeout" $timeout "grace" $grace | toJson -}}
{{- end -}}
