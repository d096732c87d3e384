{{/* Everything a service chart renders; its templates/service.yaml is this one include. */}}
{{- define "memberpulse-common.all" -}}
{{- $documents := list
    (include "memberpulse-common.configmap" .)
    (include "memberpulse-common.secret" .)
    (include "memberpulse-common.deployment" .)
    (include "memberpulse-common.service" .)
    (include "memberpulse-common.hpa" .)
    (include "memberpulse-common.scaledobject" .)
    (include "memberpulse-common.triggerauthentication" .)
    (include "memberpulse-common.pdb" .)
    (include "memberpulse-common.servicemonitor" .)
    (include "memberpulse-common.networkpolicy" .) -}}
{{- range $documents }}
{{- if trim . }}
---
{{ trim . }}
{{- end }}
{{- end }}
{{- end -}}
