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

{{/*
The PostgreSQL connection budget: every service whose database is on global.postgres.host (no postgres.host of its
own, or the same) at its most pods, each with full pools, must fit in global.postgres.maxConnections less
reservedConnections. Its most pods: the ScaledObject's or HPA's maximum, else replicaCount, plus the surge pod of a
rolling update (maxSurge 1; Recreate has none).
*/}}
{{- define "memberpulse.postgresBudget" -}}
{{- $pg := .Values.global.postgres | default dict -}}
{{- $max := int ($pg.maxConnections | default 0) -}}
{{- if gt $max 0 }}
{{- $available := sub $max (int ($pg.reservedConnections | default 0)) -}}
{{- $total := 0 -}}
{{- $terms := list -}}
{{- range $name := splitList "|" (include "memberpulse.jobs" $) }}
{{- $v := index $.Values $name | default dict -}}
{{- $host := ($v.postgres | default dict).host | default $pg.host -}}
{{- if and $v.enabled (eq $host $pg.host) }}
{{- $keda := $v.keda | default dict -}}
{{- $autoscaling := $v.autoscaling | default dict -}}
{{- $pods := int $v.replicaCount -}}
{{- if $keda.enabled }}{{ $pods = int $keda.maxReplicas }}{{ else if $autoscaling.enabled }}{{ $pods = int $autoscaling.maxReplicas }}{{ end -}}
{{- if ne ($v.updateStrategy | default "RollingUpdate") "Recreate" }}{{ $pods = add1 $pods }}{{ end -}}
{{- $pool := ($v.postgres | default dict).pool | default dict -}}
{{- $perPod := add (int $pool.reactiveMaxSize) (int $pool.jdbcMaxSize) (int ($pool.otherConnections | default 0)) -}}
{{- $total = add $total (mul $pods $perPod) -}}
{{- $terms = append $terms (printf "%s %d pods x %d" $name $pods $perPod) -}}
{{- end }}
{{- end }}
{{- if gt $total $available }}
{{- fail (printf "PostgreSQL connections: at most %d could be open (%s) but global.postgres.maxConnections %d less reservedConnections %d leaves %d. Lower <service>.postgres.pool.* or the replica maximums, or raise max_connections on the server and global.postgres.maxConnections with it (k8s/README.md, PostgreSQL connections)" $total (join ", " $terms) $max (int ($pg.reservedConnections | default 0)) $available) }}
{{- end }}
{{- end }}
{{- end -}}
