{{- define "memberpulse-common.deployment" -}}
{{- $fullname := include "memberpulse-common.fullname" . -}}
{{- $native := eq (include "memberpulse-common.native" .) "true" -}}
{{- $kafkaEnv := include "memberpulse-common.kafkaSecurityEnv" . | trim -}}
{{- $datastoreEnv := include "memberpulse-common.datastoreSecurityEnv" . | trim -}}
{{- $caMounts := (include "memberpulse-common.caMounts" . | fromJson).mounts -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $fullname }}
  labels:
    {{- include "memberpulse-common.labels" . | nindent 4 }}
spec:
  {{- if not (or .Values.autoscaling.enabled (.Values.keda | default dict).enabled) }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "memberpulse-common.selectorLabels" . | nindent 6 }}
  strategy:
    {{- if eq (.Values.updateStrategy | default "RollingUpdate") "Recreate" }}
    type: Recreate
    {{- else }}
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
    {{- end }}
  template:
    metadata:
      labels:
        {{- include "memberpulse-common.labels" . | nindent 8 }}
        {{- with .Values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        # A changed ConfigMap rolls the pods.
        checksum/config: {{ include "memberpulse-common.configData" . | sha256sum }}
        {{- with .Values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      {{- with .Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.serviceAccountName }}
      serviceAccountName: {{ . }}
      {{- end }}
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        seccompProfile:
          type: RuntimeDefault
      {{- $shutdown := include "memberpulse-common.shutdown" . | fromJson }}
      terminationGracePeriodSeconds: {{ int $shutdown.grace }}
      containers:
        - name: {{ $fullname }}
          image: {{ include "memberpulse-common.image" . | quote }}
          imagePullPolicy: {{ include "memberpulse-common.pullPolicy" . }}
          {{- if $native }}
          # After the native-micro image's ENTRYPOINT (./application -Dquarkus.http.host=0.0.0.0).
          args:
            - {{ printf "-XX:MaxRAMPercentage=%s" (toString .Values.jvm.maxRAMPercentage) | quote }}
          {{- end }}
          ports:
            - name: http
              containerPort: {{ .Values.ports.http }}
              protocol: TCP
            - name: grpc
              containerPort: {{ .Values.ports.grpc }}
              protocol: TCP
          envFrom:
            - configMapRef:
                name: {{ $fullname }}-config
            - secretRef:
                name: {{ include "memberpulse-common.secretName" . }}
          {{- if or (not $native) .Values.extraEnv $kafkaEnv $datastoreEnv }}
          env:
            {{- if not $native }}
            # Appended by the image's run-java.sh after its own defaults, so these win.
            - name: JAVA_OPTS_APPEND
              value: {{ printf "-Dquarkus.http.host=0.0.0.0 -Djava.util.logging.manager=org.jboss.logmanager.LogManager %s" (include "memberpulse-common.javaOpts" .) | quote }}
            {{- end }}
            {{- with $datastoreEnv }}
            {{- . | nindent 12 }}
            {{- end }}
            {{- with $kafkaEnv }}
            {{- . | nindent 12 }}
            {{- end }}
            {{- with .Values.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          {{- end }}
          {{- if or $caMounts .Values.extraVolumeMounts }}
          volumeMounts:
            {{- range $caMounts }}
            - name: {{ .name }}
              mountPath: {{ .dir }}
              readOnly: true
            {{- end }}
            {{- with .Values.extraVolumeMounts }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          {{- end }}
          {{- if gt (int $shutdown.preStop) 0 }}
          lifecycle:
            preStop:
              sleep:
                seconds: {{ int $shutdown.preStop }}
          {{- end }}
          {{- if .Values.probes.startup.enabled }}
          startupProbe:
            httpGet:
              path: /q/health/started
              port: http
            periodSeconds: {{ .Values.probes.startup.periodSeconds }}
            failureThreshold: {{ .Values.probes.startup.failureThreshold }}
          {{- end }}
          livenessProbe:
            httpGet:
              path: /q/health/live
              port: http
            periodSeconds: {{ .Values.probes.liveness.periodSeconds }}
            timeoutSeconds: {{ .Values.probes.liveness.timeoutSeconds }}
            failureThreshold: {{ .Values.probes.liveness.failureThreshold }}
          readinessProbe:
            httpGet:
              path: /q/health/ready
              port: http
            periodSeconds: {{ .Values.probes.readiness.periodSeconds }}
            timeoutSeconds: {{ .Values.probes.readiness.timeoutSeconds }}
            failureThreshold: {{ .Values.probes.readiness.failureThreshold }}
          resources:
            {{- toYaml (required "resources are required (the HPA scales on CPU requests)" .Values.resources) | nindent 12 }}
          securityContext:
            allowPrivilegeEscalation: false
            capabilities:
              drop: ["ALL"]
      {{- if or $caMounts .Values.extraVolumes }}
      volumes:
        {{- range $caMounts }}
        - name: {{ .name }}
          {{- if .secretName }}
          secret:
            secretName: {{ .secretName }}
          {{- else }}
          configMap:
            name: {{ .configMapName }}
          {{- end }}
            items:
              - key: {{ .key }}
                path: {{ .key }}
        {{- end }}
        {{- with .Values.extraVolumes }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- end }}
      {{- with .Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- if .Values.topologySpreadConstraints }}
      topologySpreadConstraints:
        {{- toYaml .Values.topologySpreadConstraints | nindent 8 }}
      {{- else if ne (toString .Values.spreadPods) "false" }}
      topologySpreadConstraints:
        {{- range list "kubernetes.io/hostname" "topology.kubernetes.io/zone" }}
        - maxSkew: 1
          topologyKey: {{ . }}
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              {{- include "memberpulse-common.selectorLabels" $ | nindent 14 }}
        {{- end }}
      {{- end }}
{{- end -}}
