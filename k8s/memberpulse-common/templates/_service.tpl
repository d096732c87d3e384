{{- define "memberpulse-common.service" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "memberpulse-common.fullname" . }}
  labels:
    {{- include "memberpulse-common.labels" . | nindent 4 }}
  {{- with .Values.service.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: {{ .Values.service.type }}
  selector:
    {{- include "memberpulse-common.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ .Values.ports.http }}
      targetPort: http
      protocol: TCP
      appProtocol: http
    - name: grpc
      port: {{ .Values.ports.grpc }}
      targetPort: grpc
      protocol: TCP
      # Plain-text HTTP/2: lets meshes and gateways balance gRPC per call.
      appProtocol: kubernetes.io/h2c
{{- end -}}
