{{/*
NetworkPolicy of a service. Ingress: its HTTP and gRPC ports from the memberpulse pods of the namespace and
from networkPolicy.ingressFrom; its HTTP port (/q/metrics) from the monitoring namespace when the
ServiceMonitor is on; nothing else. Egress (networkPolicy.egress.enabled): DNS, the memberpulse pods,
PostgreSQL, Redis, Kafka, the identity provider and egress.extraRules; nothing else.
*/}}
{{- define "memberpulse-common.networkpolicy" -}}
{{- $np := include "memberpulse-common.networkPolicySettings" . | fromJson -}}
{{- if $np.enabled }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "memberpulse-common.fullname" . }}
  labels:
    {{- include "memberpulse-common.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "memberpulse-common.selectorLabels" . | nindent 6 }}
  policyTypes:
    - Ingress
    {{- if $np.egress.enabled }}
    - Egress
    {{- end }}
  ingress:
    - from:
        {{- toYaml (include "memberpulse-common.memberpulsePods" . | fromJson).peers | nindent 8 }}
        {{- with $np.ingressFrom }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      ports:
        - port: {{ .Values.ports.http }}
          protocol: TCP
        - port: {{ .Values.ports.grpc }}
          protocol: TCP
    {{- if .Values.serviceMonitor.enabled }}
    # Prometheus scrapes /q/metrics, on the HTTP port (a NetworkPolicy cannot narrow it to a path).
    - from:
        - namespaceSelector:
            {{- toYaml $np.monitoring.namespaceSelector | nindent 12 }}
          {{- with $np.monitoring.podSelector }}
          podSelector:
            {{- toYaml . | nindent 12 }}
          {{- end }}
      ports:
        - port: {{ .Values.ports.http }}
          protocol: TCP
    {{- end }}
  {{- if $np.egress.enabled }}
  egress:
    {{- range $rule := $np.egress.rules }}
    - to:
        {{- toYaml $rule.to | nindent 8 }}
      {{- with $rule.ports }}
      ports:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    {{- end }}
  {{- end }}
{{- end }}
{{- end -}}

{{/*
The pods of every memberpulse service in the release namespace (no namespaceSelector: this one), as JSON
{peers: [...]}. Not the release label: a service chart installed on its own in the namespace is one of them.
*/}}
{{- define "memberpulse-common.memberpulsePods" -}}
{{- toJson (dict "peers" (list (dict "podSelector" (dict "matchLabels" (dict "app.kubernetes.io/part-of" "memberpulse"))))) -}}
{{- end -}}

{{/*
The effective settings, as JSON: each field of the service's networkPolicy.*, else global.networkPolicy.*,
else the default below; ingressFrom and egress.extraRules of both add up. Checked only when they apply, so
a mistake fails the render with the value to fix.
*/}}
{{- define "memberpulse-common.networkPolicySettings" -}}
{{- $global := .Values.global | default dict -}}
{{- $g := $global.networkPolicy | default dict -}}
{{- $s := .Values.networkPolicy | default dict -}}
{{- $gegress := $g.egress | default dict -}}
{{- $segress := $s.egress | default dict -}}
{{- $enabled := include "memberpulse-common.boolSetting" (dict "name" "networkPolicy.enabled" "global" $g.enabled "service" $s.enabled "default" true) | eq "true" -}}
{{- $egressOn := include "memberpulse-common.boolSetting" (dict "name" "networkPolicy.egress.enabled" "global" $gegress.enabled "service" $segress.enabled "default" false) | eq "true" -}}
{{- $settings := dict "enabled" $enabled "egress" (dict "enabled" (and $enabled $egressOn)) -}}
{{- if $enabled }}
{{- $ingressFrom := list -}}
{{- range $source := list (dict "name" "global.networkPolicy.ingressFrom" "peers" $g.ingressFrom) (dict "name" "networkPolicy.ingressFrom" "peers" $s.ingressFrom) }}
{{- include "memberpulse-common.checkPeers" $source }}
{{- $ingressFrom = concat $ingressFrom ($source.peers | default list) }}
{{- end }}
{{- $_ := set $settings "ingressFrom" $ingressFrom }}
{{- $gmon := $g.monitoring | default dict -}}
{{- $smon := $s.monitoring | default dict -}}
{{- $monitoring := dict
    "namespaceSelector" ($smon.namespaceSelector | default $gmon.namespaceSelector | default (dict "matchLabels" (dict "kubernetes.io/metadata.name" "monitoring")))
    "podSelector" ($smon.podSelector | default $gmon.podSelector | default dict) -}}
{{- include "memberpulse-common.checkSelector" (dict "name" "networkPolicy.monitoring.namespaceSelector" "selector" $monitoring.namespaceSelector) }}
{{- include "memberpulse-common.checkSelector" (dict "name" "networkPolicy.monitoring.podSelector" "selector" $monitoring.podSelector) }}
{{- $_ := set $settings "monitoring" $monitoring }}
{{- if $egressOn }}
{{- $_ := set $settings.egress "rules" (include "memberpulse-common.egressRules" (dict "context" . "global" $gegress "service" $segress) | fromJson).rules }}
{{- end }}
{{- end }}
{{- toJson $settings -}}
{{- end -}}

{{/*
The egress rules, as JSON {rules: [{to, ports}]}: the memberpulse pods (any port: their own policies bound
it), DNS, PostgreSQL, Redis, Kafka, the identity provider, then egress.extraRules.
*/}}
{{- define "memberpulse-common.egressRules" -}}
{{- $values := .context.Values -}}
{{- $global := $values.global | default dict -}}
{{- $g := .global -}}
{{- $s := .service -}}
{{- $gpg := $global.postgres | default dict -}}
{{- $gredis := $global.redis | default dict -}}
{{- $gkafka := $global.kafka | default dict -}}
{{- $gauth := $global.auth | default dict -}}
{{- $auth := $values.auth | default dict -}}
{{- $tcp := "TCP" -}}
{{- $kafkaPorts := list -}}
{{- $bootstrap := $values.kafka.bootstrapServers | default $gkafka.bootstrapServers | default "kafka:9092" -}}
{{- range $server := splitList "," $bootstrap }}
{{- $hostPort := splitList ":" (trim $server) }}
{{- $port := ternary (last $hostPort) "9092" (gt (len $hostPort) 1) }}
{{- $kafkaPorts = append $kafkaPorts (dict "port" (atoi $port) "protocol" $tcp) }}
{{- end }}
{{- $jwks := $auth.publicKeyLocation | default $gauth.publicKeyLocation | default "" -}}
{{- $jwksUrl := and (regexMatch "^https?://" $jwks) (urlParse $jwks) -}}
{{- $providerPort := 443 -}}
{{- if $jwksUrl }}
{{- $hostPort := splitList ":" $jwksUrl.host }}
{{- $providerPort = ternary (atoi (last $hostPort)) (ternary 443 80 (eq $jwksUrl.scheme "https")) (gt (len $hostPort) 1) }}
{{- end }}
{{- $peers := dict
    "dns" (dict "to" (list (dict
                "namespaceSelector" (dict "matchLabels" (dict "kubernetes.io/metadata.name" "kube-system"))
                "podSelector" (dict "matchLabels" (dict "k8s-app" "kube-dns"))))
            "ports" (list (dict "port" 53 "protocol" "UDP") (dict "port" 53 "protocol" $tcp)))
    "postgres" (dict "ports" (list (dict "port" (int ($values.postgres.port | default $gpg.port | default 5432)) "protocol" $tcp)))
    "redis" (dict "ports" (list (dict "port" (int ($values.redis.port | default $gredis.port | default 6379)) "protocol" $tcp)))
    "kafka" (dict "ports" (uniq $kafkaPorts))
    "identityProvider" (dict "ports" (list (dict "port" $providerPort "protocol" $tcp))) -}}
{{- $rules := list (dict "to" (include "memberpulse-common.memberpulsePods" .context | fromJson).peers "ports" list) -}}
{{- range $name := list "dns" "postgres" "redis" "kafka" "identityProvider" }}
{{- $default := get $peers $name -}}
{{- $gpeer := get $g $name | default dict -}}
{{- $speer := get $s $name | default dict -}}
{{- $to := $speer.to | default $gpeer.to | default $default.to | default list -}}
{{- $ports := $speer.ports | default $gpeer.ports | default $default.ports -}}
{{- $where := printf "networkPolicy.egress.%s" $name -}}
{{- include "memberpulse-common.checkPeers" (dict "name" (printf "%s.to" $where) "peers" $to) }}
{{- include "memberpulse-common.checkPorts" (dict "name" (printf "%s.ports" $where) "ports" $ports) }}
{{- if and (not $to) (has $name (list "postgres" "redis" "kafka")) }}
{{- fail (printf "%s.to is required with networkPolicy.egress.enabled: the %s servers as NetworkPolicyPeers (namespaceSelector/podSelector in the cluster, ipBlock outside it)" $where (get (dict "postgres" "PostgreSQL" "redis" "Redis" "kafka" "Kafka (bootstrap and every broker)") $name)) }}
{{- end }}
{{- if and (not $to) (eq $name "identityProvider") $jwksUrl }}
{{- fail (printf "%s.to is required with networkPolicy.egress.enabled: every service fetches the token keys from auth.publicKeyLocation (%s); list the identity provider as NetworkPolicyPeers (ipBlock, or its namespace)" $where $jwks) }}
{{- end }}
{{- if $to }}
{{- $rules = append $rules (dict "to" $to "ports" (include "memberpulse-common.normalPorts" $ports | fromJson).ports) }}
{{- end }}
{{- end }}
{{- range $source := list (dict "name" "global.networkPolicy.egress.extraRules" "rules" $g.extraRules) (dict "name" "networkPolicy.egress.extraRules" "rules" $s.extraRules) }}
{{- $extra := $source.rules | default list }}
{{- if not (kindIs "slice" $extra) }}
{{- fail (printf "%s must be a list of NetworkPolicyEgressRules ({to, ports}), not %v" $source.name $extra) }}
{{- end }}
{{- range $i, $rule := $extra }}
{{- $where := printf "%s[%d]" $source.name $i }}
{{- if or (not (kindIs "map" $rule)) (without (keys $rule) "to" "ports") (not $rule.to) }}
{{- fail (printf "%s must be a NetworkPolicyEgressRule with to (a list of peers) and optional ports, not %v" $where $rule) }}
{{- end }}
{{- include "memberpulse-common.checkPeers" (dict "name" (printf "%s.to" $where) "peers" $rule.to) }}
{{- include "memberpulse-common.checkPorts" (dict "name" (printf "%s.ports" $where) "ports" ($rule.ports | default list)) }}
{{- $rules = append $rules (dict "to" $rule.to "ports" (include "memberpulse-common.normalPorts" ($rule.ports | default list) | fromJson).ports) }}
{{- end }}
{{- end }}
{{- toJson (dict "rules" $rules) -}}
{{- end -}}

{{/* "true" or "false": the service's value, else the global one, else the default; anything else fails. */}}
{{- define "memberpulse-common.boolSetting" -}}
{{- $value := .default -}}
{{- range $source := list (list (printf "global.%s" .name) .global) (list .name .service) }}
{{- $v := last $source }}
{{- if kindIs "bool" $v }}
{{- $value = $v }}
{{- else if and (not (kindIs "invalid" $v)) (ne (toString $v) "") }}
{{- fail (printf "%s must be true or false, not %q" (first $source) (toString $v)) }}
{{- end }}
{{- end }}
{{- $value -}}
{{- end -}}

{{/* A list of NetworkPolicyPeers: {podSelector and/or namespaceSelector} or {ipBlock: {cidr, except}}. */}}
{{- define "memberpulse-common.checkPeers" -}}
{{- $peers := .peers | default list -}}
{{- if not (kindIs "slice" $peers) }}
{{- fail (printf "%s must be a list of NetworkPolicyPeers (podSelector, namespaceSelector or ipBlock), not %v" .name $peers) }}
{{- end }}
{{- range $i, $peer := $peers }}
{{- $where := printf "%s[%d]" $.name $i }}
{{- if or (not (kindIs "map" $peer)) (not $peer) }}
{{- fail (printf "%s must be a NetworkPolicyPeer with podSelector, namespaceSelector or ipBlock, not %v" $where $peer) }}
{{- end }}
{{- with without (keys $peer) "podSelector" "namespaceSelector" "ipBlock" }}
{{- fail (printf "%s: unknown field %s (a NetworkPolicyPeer has podSelector, namespaceSelector or ipBlock)" $where (join ", " (sortAlpha .))) }}
{{- end }}
{{- if hasKey $peer "ipBlock" }}
{{- if or (hasKey $peer "podSelector") (hasKey $peer "namespaceSelector") }}
{{- fail (printf "%s: ipBlock cannot be combined with podSelector or namespaceSelector (use two peers)" $where) }}
{{- end }}
{{- $cidr := (kindIs "map" $peer.ipBlock | ternary $peer.ipBlock dict).cidr | default "" | toString }}
{{- if not (regexMatch "^([0-9]{1,3}\\.){3}[0-9]{1,3}/[0-9]{1,2}$|^[0-9a-fA-F:]+/[0-9]{1,3}$" $cidr) }}
{{- fail (printf "%s.ipBlock.cidr must be a CIDR such as 10.0.0.0/16, not %q" $where $cidr) }}
{{- end }}
{{- end }}
{{- range $field := list "podSelector" "namespaceSelector" }}
{{- if hasKey $peer $field }}
{{- include "memberpulse-common.checkSelector" (dict "name" (printf "%s.%s" $where $field) "selector" (get $peer $field)) }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* A label selector: a map with matchLabels and/or matchExpressions ({} selects everything). */}}
{{- define "memberpulse-common.checkSelector" -}}
{{- $selector := .selector -}}
{{- if or (not (kindIs "map" $selector)) (without (keys $selector) "matchLabels" "matchExpressions") }}
{{- fail (printf "%s must be a label selector (matchLabels, matchExpressions), not %v" .name $selector) }}
{{- end }}
{{- end -}}

{{/* A list of NetworkPolicyPorts: {port: number or container port name, protocol: TCP|UDP|SCTP, endPort}. */}}
{{- define "memberpulse-common.checkPorts" -}}
{{- if not (kindIs "slice" .ports) }}
{{- fail (printf "%s must be a list of ports ({port, protocol}), not %v" .name .ports) }}
{{- end }}
{{- range $i, $port := .ports }}
{{- $where := printf "%s[%d]" $.name $i }}
{{- if or (not (kindIs "map" $port)) (without (keys $port) "port" "protocol" "endPort") (not $port.port) }}
{{- fail (printf "%s must be {port, protocol, endPort} with a port, not %v" $where $port) }}
{{- end }}
{{- if and (not (kindIs "string" $port.port)) (or (lt (int $port.port) 1) (gt (int $port.port) 65535)) }}
{{- fail (printf "%s.port %v is not a port number (1-65535)" $where $port.port) }}
{{- end }}
{{- if not (has ($port.protocol | default "TCP") (list "TCP" "UDP" "SCTP")) }}
{{- fail (printf "%s.protocol %q must be TCP, UDP or SCTP" $where $port.protocol) }}
{{- end }}
{{- end }}
{{- end -}}

{{/* The ports with the protocol spelled out (TCP unless set), as JSON {ports: [...]}. */}}
{{- define "memberpulse-common.normalPorts" -}}
{{- $ports := list -}}
{{- range $port := . }}
{{- $ports = append $ports (merge (dict "protocol" ($port.protocol | default "TCP")) (omit $port "protocol")) }}
{{- end }}
{{- toJson (dict "ports" $ports) -}}
{{- end -}}
