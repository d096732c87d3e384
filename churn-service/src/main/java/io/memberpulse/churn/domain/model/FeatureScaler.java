package io.memberpulse.churn.domain.model;

/**
 * Standardisation for the linear models: (x - mean) / sd per column, learnt on the training rows;
 * a missing value (NaN) becomes the mean (0 after scaling); values are clipped to ±5 sd.
 */
public record FeatureScaler(double[] means, double[] sds) {
    private static final double CLIP = 5;

    public static FeatureScaler fit(double[][] rows) {
        int width = rows.length == 0 ? 0 : rows[0].length;
        double[] means = new double[width];
        double[] sds = new double[width];
        for (int j = 0; j < width; j++) {
            double sum = 0;
            int n = 0;
            for (double[] row : rows) {
                if (Double.isFinite(row[j])) {
                    sum += row[j];
                    n++;
                }
            }
            means[j] = n > 0 ? sum / n : 0;
            double squares = 0;
            for (double[] row : rows) {
                if (Double.isFinite(row[j])) {
                    squares += (row[j] - means[j]) * (row[j] - means[j]);
                }
            }
            double sd = n > 1 ? Math.sqrt(squares / n) : 0;
            sds[j] = sd > 1e-12 ? sd : 1;
        }
        return new FeatureScaler(means, sds);
    }

    public double[][] transform(double[][] rows) {
        double[][] out = new double[rows.length][means.length];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < means.length; j++) {
                double v = rows[i][j];
                out[i][j] = Double.isFinite(v) ? Math.max(-CLIP, Math.min(CLIP, (v - means[j]) / sds[j])) : 0;
            }
        }
        return out;
    }
}
