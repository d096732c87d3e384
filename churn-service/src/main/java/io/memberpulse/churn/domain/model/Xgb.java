package io.memberpulse.churn.domain.model;

import java.util.HashMap;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * The XGBoost calls: fixed, a-priori settings (no tuning on evaluation data), float matrices with
 * NaN as "missing", native memory freed right after use.
 */
final class Xgb {
    static final int TREE_ROUNDS = 200;
    static final int RESIDUAL_TREE_ROUNDS = 300;
    static final int LINEAR_ROUNDS = 300;

    private Xgb() {
    }

    static Map<String, Object> treeParams(int depth) {
        Map<String, Object> p = common();
        p.put("booster", "gbtree");
        p.put("tree_method", "hist");
        p.put("max_depth", depth);
        p.put("eta", 0.03);
        p.put("subsample", 0.8);
        p.put("colsample_bytree", 0.8);
        p.put("min_child_weight", 10);
        p.put("lambda", 5.0);
        return p;
    }

    static Map<String, Object> linearParams() {
        Map<String, Object> p = common();
        p.put("booster", "gblinear");
        p.put("updater", "coord_descent");
        p.put("feature_selector", "cyclic");
        p.put("eta", 0.5);
        p.put("lambda", 1.0);
        p.put("alpha", 0.0);
        return p;
    }

    private static Map<String, Object> common() {
        Map<String, Object> p = new HashMap<>();
        p.put("objective", "binary:logistic");
        p.put("eval_metric", "logloss");
        p.put("nthread", 1);
        p.put("seed", 7);
        p.put("verbosity", 0);
        return p;
    }

    static byte[] train(double[][] x, int[] y, float[] margin, Map<String, Object> params, int rounds) {
        DMatrix data = null;
        Booster booster = null;
        try {
            data = matrix(x, margin);
            float[] labels = new float[y.length];
            for (int i = 0; i < y.length; i++) {
                labels[i] = y[i];
            }
            data.setLabel(labels);
            booster = XGBoost.train(data, params, rounds, Map.of(), null, null);
            return booster.toByteArray("ubj");
        } catch (XGBoostError e) {
            throw new IllegalStateException("XGBoost training failed: " + e.getMessage(), e);
        } finally {
            dispose(data, booster);
        }
    }

    /**
     * A logistic regression (gblinear) on a sparse matrix in CSR form; returns the bias and then one weight per
     * column. {@code lambda} is XGBoost's, which it scales by the number of rows.
     */
    static double[] trainSparseLinear(long[] rowStarts, int[] columns, float[] values, int width, int[] y,
            double lambda, int rounds) {
        DMatrix data = null;
        Booster booster = null;
        try {
            data = new DMatrix(rowStarts, columns, values, DMatrix.SparseType.CSR, width);
            float[] labels = new float[y.length];
            for (int i = 0; i < y.length; i++) {
                labels[i] = y[i];
            }
            data.setLabel(labels);
            Map<String, Object> params = linearParams();
            params.put("lambda", lambda);
            booster = XGBoost.train(data, params, rounds, Map.of(), null, null);
            String dump = booster.getModelDump((String) null, false)[0];
            String[] bias = dump.substring(dump.indexOf("bias:") + "bias:".length(), dump.indexOf("weight:")).trim()
                    .split("\\s+");
            String[] weights = dump.substring(dump.indexOf("weight:") + "weight:".length()).trim().split("\\s+");
            double[] out = new double[width + 1];
            out[0] = Double.parseDouble(bias[0]);
            for (int j = 0; j < width && j < weights.length; j++) {
                out[j + 1] = Double.parseDouble(weights[j]);
            }
            return out;
        } catch (XGBoostError e) {
            throw new IllegalStateException("XGBoost training failed: " + e.getMessage(), e);
        } finally {
            dispose(data, booster);
        }
    }

    static Booster load(byte[] model) {
        try {
            return XGBoost.loadModel(model);
        } catch (XGBoostError | java.io.IOException e) {
            throw new IllegalStateException("XGBoost model unreadable: " + e.getMessage(), e);
        }
    }

    static double[] predict(Booster booster, double[][] x, float[] margin) {
        DMatrix data = null;
        try {
            data = matrix(x, margin);
            float[][] p = booster.predict(data);
            double[] out = new double[p.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = p[i][0];
            }
            return out;
        } catch (XGBoostError e) {
            throw new IllegalStateException("XGBoost prediction failed: " + e.getMessage(), e);
        } finally {
            dispose(data, null);
        }
    }

    /**
     * Each row's contributions to the log-odds (XGBoost's predictContrib: exact tree SHAP for trees, weight × value
     * for gblinear), one per column, then the bias (expected log-odds, plus the row's base margin when given).
     */
    static double[][] contributions(Booster booster, double[][] x, float[] margin) {
        DMatrix data = null;
        try {
            data = matrix(x, margin);
            float[][] c = booster.predictContrib(data, 0);
            double[][] out = new double[c.length][];
            for (int i = 0; i < c.length; i++) {
                out[i] = new double[c[i].length];
                for (int j = 0; j < c[i].length; j++) {
                    out[i][j] = c[i][j];
                }
            }
            return out;
        } catch (XGBoostError e) {
            throw new IllegalStateException("XGBoost contributions failed: " + e.getMessage(), e);
        } finally {
            dispose(data, null);
        }
    }

    /** Gain per feature column (trees) or |weight| (linear), by column index. */
    static double[] importance(Booster booster, int width, boolean linear) {
        double[] out = new double[width];
        try {
            if (linear) {
                String dump = booster.getModelDump((String) null, false)[0];
                String[] lines = dump.substring(dump.indexOf("weight:") + "weight:".length()).trim().split("\\s+");
                for (int j = 0; j < width && j < lines.length; j++) {
                    out[j] = Math.abs(Double.parseDouble(lines[j]));
                }
            } else {
                new HashMap<>(booster.getScore((String) null, "total_gain")).forEach((name, gain) -> {
                    int j = Integer.parseInt(name.substring(1));
                    if (j < width) {
                        out[j] = gain;
                    }
                });
            }
        } catch (XGBoostError e) {
            throw new IllegalStateException("XGBoost importance failed: " + e.getMessage(), e);
        }
        return out;
    }

    private static DMatrix matrix(double[][] x, float[] margin) throws XGBoostError {
        int n = x.length;
        int width = n == 0 ? 0 : x[0].length;
        float[] values = new float[n * width];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < width; j++) {
                values[i * width + j] = (float) x[i][j];
            }
        }
        DMatrix data = new DMatrix(values, n, width, Float.NaN);
        if (margin != null) {
            data.setBaseMargin(margin);
        }
        return data;
    }

    private static void dispose(DMatrix data, Booster booster) {
        if (data != null) {
            data.dispose();
        }
        if (booster != null) {
            booster.dispose();
        }
    }
}
