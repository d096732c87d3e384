package io.memberpulse.churn.domain.model;

import io.memberpulse.churn.domain.features.Feature;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;

/**
 * A churn model of one {@link ModelKind}, trained or fixed: probability of no purchase within the
 * horizon from the full feature vector. Serialisable to bytes (kind, width, scaler, XGBoost model, and a
 * blend's parts after them).
 * Features are only ever appended to {@link Feature}, so a model reads the first {@code width}
 * features it was trained with, and a version stored before new ones were added keeps scoring.
 */
public final class ChurnClassifier {
    private static final int FORMAT = 2;
    /** Format 1 (session 1) stored no width: its vectors had the first 59 features. */
    private static final int FORMAT_1 = 1;
    static final int FORMAT_1_WIDTH = Feature.DECAYED_DAYS_30.ordinal();
    private static final int BGNBD = Feature.BGNBD_P_NO_PURCHASE.ordinal();

    private final ModelKind kind;
    private final int width;
    private final FeatureScaler scaler;
    private final byte[] model;
    /** The models a BLEND or HAZARD averages; empty for every other kind. */
    private final List<ChurnClassifier> parts;
    private Booster booster;

    private ChurnClassifier(ModelKind kind, int width, FeatureScaler scaler, byte[] model) {
        this(kind, width, scaler, model, List.of());
    }

    private ChurnClassifier(ModelKind kind, int width, FeatureScaler scaler, byte[] model, List<ChurnClassifier> parts) {
        this.kind = kind;
        this.width = width;
        this.scaler = scaler;
        this.model = model;
        this.parts = List.copyOf(parts);
    }

    private ChurnClassifier(ModelKind kind, FeatureScaler scaler, byte[] model) {
        this(kind, Feature.COUNT, scaler, model);
    }

    /** The feature columns this model reads: its kind's, among the first {@code width}. */
    private int[] columns() {
        return java.util.Arrays.stream(kind.columns()).filter(c -> c < width).toArray();
    }

    /**
     * A model that needs no labels: RHYTHM or BGNBD, which read their own feature column (BG/NBD's is fitted
     * to the purchases themselves by maximum likelihood). What scores members when there is no labelled
     * history to train on.
     */
    public static ChurnClassifier withoutLabels(ModelKind kind) {
        if (kind != ModelKind.RHYTHM && kind != ModelKind.BGNBD) {
            throw new IllegalArgumentException(kind + " is trained on labels");
        }
        return new ChurnClassifier(kind, null, null);
    }

    /** Trains (or, for RHYTHM and BGNBD, simply takes) a model of this kind on feature rows and labels. */
    public static ChurnClassifier train(ModelKind kind, double[][] features, int[] churned) {
        if (features.length != churned.length || features.length == 0) {
            throw new IllegalArgumentException("features and labels must be non-empty and of one length");
        }
        if (kind.hazard()) {
            throw new IllegalArgumentException(kind + " trains on person-slice rows (trainHazard), not on member rows");
        }
        double[][] x = columns(features, kind.columns());
        return switch (kind) {
            case RHYTHM, BGNBD -> new ChurnClassifier(kind, null, null);
            case RECENCY, LR_RFM, LR -> {
                FeatureScaler scaler = FeatureScaler.fit(x);
                yield new ChurnClassifier(kind, scaler,
                        Xgb.train(scaler.transform(x), churned, null, Xgb.linearParams(), Xgb.LINEAR_ROUNDS));
            }
            case GBT -> new ChurnClassifier(kind, null, Xgb.train(x, churned, null, Xgb.treeParams(3), Xgb.TREE_ROUNDS));
            case GBT_BGNBD -> new ChurnClassifier(kind, null,
                    Xgb.train(x, churned, bgNbdMargin(features), Xgb.treeParams(2), Xgb.RESIDUAL_TREE_ROUNDS));
            case BLEND -> blendOf(train(ModelKind.LR, features, churned), train(ModelKind.GBT_BGNBD, features, churned));
            default -> throw new IllegalStateException(kind.name());
        };
    }

    /**
     * Trains a survival model on person-slice rows (HazardRows: the full feature vector, then the slice
     * columns; label 1 = no purchase within the slice).
     */
    public static ChurnClassifier trainHazard(ModelKind kind, double[][] sliceRows, int[] survived) {
        if (!kind.hazard()) {
            throw new IllegalArgumentException(kind + " is not a hazard model");
        }
        if (sliceRows.length != survived.length || sliceRows.length == 0
                || sliceRows[0].length != Feature.COUNT + HazardRows.SLICE_COLUMNS) {
            throw new IllegalArgumentException("person-slice rows must be non-empty, of one length with their labels "
                    + "and hold every feature and the slice columns");
        }
        return switch (kind) {
            case HAZARD_LR -> {
                FeatureScaler scaler = FeatureScaler.fit(sliceRows);
                yield new ChurnClassifier(kind, scaler,
                        Xgb.train(scaler.transform(sliceRows), survived, null, Xgb.linearParams(), Xgb.LINEAR_ROUNDS));
            }
            case HAZARD_GBT -> new ChurnClassifier(kind, null,
                    Xgb.train(sliceRows, survived, null, Xgb.treeParams(3), Xgb.TREE_ROUNDS));
            default -> hazardOf(trainHazard(ModelKind.HAZARD_LR, sliceRows, survived),
                    trainHazard(ModelKind.HAZARD_GBT, sliceRows, survived));
        };
    }

    /** The HAZARD mean of a HAZARD_LR and a HAZARD_GBT model trained on the same rows. */
    public static ChurnClassifier hazardOf(ChurnClassifier lr, ChurnClassifier gbt) {
        return meanOf(ModelKind.HAZARD, lr, ModelKind.HAZARD_LR, gbt, ModelKind.HAZARD_GBT,
                "a hazard mean averages a HAZARD_LR and a HAZARD_GBT model");
    }

    /** The BLEND of an LR and a GBT_BGNBD model already trained on the same rows. */
    public static ChurnClassifier blendOf(ChurnClassifier lr, ChurnClassifier gbtBgNbd) {
        return meanOf(ModelKind.BLEND, lr, ModelKind.LR, gbtBgNbd, ModelKind.GBT_BGNBD,
                "a blend averages an LR and a GBT_BGNBD model");
    }

    /** A composite kind: the mean of two models of the kinds it is made of. */
    private static ChurnClassifier meanOf(ModelKind mean, ChurnClassifier first, ModelKind firstKind,
            ChurnClassifier second, ModelKind secondKind, String expected) {
        if (first.kind != firstKind || second.kind != secondKind) {
            throw new IllegalArgumentException(expected + ", not " + first.kind + " and " + second.kind);
        }
        return new ChurnClassifier(mean, Feature.COUNT, null, null, List.of(first, second));
    }

    public ModelKind kind() {
        return kind;
    }

    /** P(churn) per row of full feature vectors. */
    public synchronized double[] predict(double[][] features) {
        if (features.length == 0) {
            return new double[0];
        }
        return switch (kind) {
            case RHYTHM, BGNBD -> {
                double[] p = new double[features.length];
                int column = kind.columns()[0];
                for (int i = 0; i < p.length; i++) {
                    double v = features[i][column];
                    p[i] = Double.isFinite(v) ? Math.max(0, Math.min(1, v)) : 0.5;
                }
                yield p;
            }
            case RECENCY, LR_RFM, LR -> Xgb.predict(booster(), scaler.transform(columns(features, columns())), null);
            case GBT -> Xgb.predict(booster(), columns(features, columns()), null);
            case GBT_BGNBD -> Xgb.predict(booster(), columns(features, columns()), bgNbdMargin(features));
            case HAZARD_LR, HAZARD_GBT -> survival(columns(features, columns()));
            case BLEND, HAZARD -> {
                double[] p = new double[features.length];
                for (ChurnClassifier part : parts) {
                    double[] q = part.predict(features);
                    for (int i = 0; i < p.length; i++) {
                        p[i] += q[i] / parts.size();
                    }
                }
                yield p;
            }
        };
    }

    /**
     * What each feature of one member's full feature vector adds to this model's churn log-odds (Contributions), from
     * XGBoost's predictContrib: tree SHAP for trees, weight × standardised value for the linear kinds. GBT_BGNBD's trees
     * start from BG/NBD's log-odds: that starting point is counted as BGNBD_P_NO_PURCHASE's contribution. A BLEND gives
     * each part's contributions times its share (not exact: it averages probabilities). RHYTHM and BGNBD read one
     * column, which carries the whole log-odds. The hazard kinds multiply slice survivals: not additive, refused.
     */
    public synchronized Contributions contributions(double[] features) {
        double[] byFeature = new double[Feature.COUNT];
        double[][] row = {features};
        return switch (kind) {
            case RHYTHM, BGNBD -> {
                double p = predict(row)[0];
                p = Math.max(1e-9, Math.min(1 - 1e-9, p));
                byFeature[kind.columns()[0]] = Math.log(p / (1 - p));
                yield new Contributions(0, byFeature, true);
            }
            case RECENCY, LR_RFM, LR, GBT, GBT_BGNBD -> {
                int[] columns = columns();
                double[][] x = columns(row, columns);
                float[] margin = kind == ModelKind.GBT_BGNBD ? bgNbdMargin(row) : null;
                double[] c = Xgb.contributions(booster(), scaler != null ? scaler.transform(x) : x, margin)[0];
                for (int j = 0; j < columns.length; j++) {
                    byFeature[columns[j]] = c[j];
                }
                double base = c[columns.length];
                if (margin != null) { // the bias column holds the row's base margin: BG/NBD's own log-odds
                    byFeature[BGNBD] += margin[0];
                    base -= margin[0];
                }
                yield new Contributions(base, byFeature, true);
            }
            case BLEND -> {
                double base = 0;
                for (ChurnClassifier part : parts) {
                    Contributions c = part.contributions(features);
                    base += c.base() / parts.size();
                    for (int j = 0; j < byFeature.length; j++) {
                        byFeature[j] += c.byFeature()[j] / parts.size();
                    }
                }
                yield new Contributions(base, byFeature, false);
            }
            case HAZARD_LR, HAZARD_GBT, HAZARD ->
                throw new UnsupportedOperationException(kind + " multiplies slice survivals: no additive log-odds");
        };
    }

    /** P(no purchase in any slice) = the product of the slices' survival probabilities. */
    private double[] survival(double[][] x) {
        double[] p = new double[x.length];
        java.util.Arrays.fill(p, 1);
        for (int k = 0; k < HazardRows.SLICES; k++) {
            double[][] rows = new double[x.length][];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = HazardRows.withSlice(x[i], k);
            }
            double[] q = sliceSurvival(rows);
            for (int i = 0; i < p.length; i++) {
                p[i] *= q[i];
            }
        }
        return p;
    }

    /** A hazard model's P(no purchase within the slice | none before it) for person-slice rows. */
    synchronized double[] sliceSurvival(double[][] sliceRows) {
        return Xgb.predict(booster(), scaler != null ? scaler.transform(sliceRows) : sliceRows, null);
    }

    /** Feature importance, largest first: total gain for trees, |standardised weight| for linear models. */
    public synchronized Map<Feature, Double> importance() {
        if (!parts.isEmpty()) {
            return blendedImportance();
        }
        Feature[] features = java.util.Arrays.stream(columns()).mapToObj(c -> Feature.values()[c]).toArray(Feature[]::new);
        double[] weights = model == null ? new double[] {1} : Xgb.importance(booster(), features.length, scaler != null);
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        Map<Feature, Double> result = new LinkedHashMap<>();
        Integer[] order = new Integer[features.length];
        for (int j = 0; j < order.length; j++) {
            order[j] = j;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(weights[b], weights[a]));
        for (int j : order) {
            if (weights[j] > 0) {
                result.put(features[j], total > 0 ? weights[j] / total : 0);
            }
        }
        return result;
    }

    /** A blend's importance: the mean of its parts' shares. */
    private Map<Feature, Double> blendedImportance() {
        Map<Feature, Double> sum = new java.util.EnumMap<>(Feature.class);
        for (ChurnClassifier part : parts) {
            part.importance().forEach((feature, share) -> sum.merge(feature, share / parts.size(), Double::sum));
        }
        Map<Feature, Double> result = new LinkedHashMap<>();
        sum.entrySet().stream().sorted(Map.Entry.<Feature, Double>comparingByValue().reversed())
                .forEach(e -> result.put(e.getKey(), e.getValue()));
        return result;
    }

    public byte[] toBytes() {
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream(); DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(FORMAT);
            out.writeUTF(kind.name());
            out.writeInt(width);
            out.writeBoolean(scaler != null);
            if (scaler != null) {
                writeArray(out, scaler.means());
                writeArray(out, scaler.sds());
            }
            out.writeInt(model == null ? -1 : model.length);
            if (model != null) {
                out.write(model);
            }
            if (kind.composite()) {
                out.writeInt(parts.size());
                for (ChurnClassifier part : parts) {
                    byte[] partBytes = part.toBytes();
                    out.writeInt(partBytes.length);
                    out.write(partBytes);
                }
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ChurnClassifier fromBytes(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int format = in.readInt();
            if (format != FORMAT && format != FORMAT_1) {
                throw new IllegalArgumentException("unknown model format " + format);
            }
            ModelKind kind = ModelKind.valueOf(in.readUTF());
            int width = format == FORMAT_1 ? FORMAT_1_WIDTH : in.readInt();
            FeatureScaler scaler = in.readBoolean() ? new FeatureScaler(readArray(in), readArray(in)) : null;
            int length = in.readInt();
            byte[] model = length < 0 ? null : in.readNBytes(length);
            List<ChurnClassifier> parts = new java.util.ArrayList<>();
            if (kind.composite()) {
                for (int i = in.readInt(); i > 0; i--) {
                    parts.add(fromBytes(in.readNBytes(in.readInt())));
                }
            }
            return new ChurnClassifier(kind, width, scaler, model, parts);
        } catch (IOException e) {
            throw new IllegalArgumentException("model bytes unreadable", e);
        }
    }

    private Booster booster() {
        if (booster == null) {
            booster = Xgb.load(model);
        }
        return booster;
    }

    static float[] bgNbdMargin(double[][] features) {
        float[] margin = new float[features.length];
        for (int i = 0; i < margin.length; i++) {
            double p = features[i][BGNBD];
            p = Double.isFinite(p) ? Math.max(1e-3, Math.min(1 - 1e-3, p)) : 0.5;
            margin[i] = (float) Math.log(p / (1 - p));
        }
        return margin;
    }

    static double[][] columns(double[][] rows, int[] columns) {
        double[][] out = new double[rows.length][columns.length];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < columns.length; j++) {
                out[i][j] = rows[i][columns[j]];
            }
        }
        return out;
    }

    private static void writeArray(DataOutputStream out, double[] values) throws IOException {
        out.writeInt(values.length);
        for (double v : values) {
            out.writeDouble(v);
        }
    }

    private static double[] readArray(DataInputStream in) throws IOException {
        double[] values = new double[in.readInt()];
        for (int i = 0; i < values.length; i++) {
            values[i] = in.readDouble();
        }
        return values;
    }
}
