package io.memberpulse.churn.domain.model;

import io.memberpulse.churn.domain.features.ProductWeights;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fits {@link ProductWeights}: L2-regularised logistic regression (XGBoost gblinear) of the churn label on
 * members' product bags, idf-weighted and scaled to unit length.
 */
public final class ProductBagFitter {
    /**
     * L2 penalty per row: 1 / (C n) with C = 0.1 as scikit-learn counts it (set a priori, not tuned on any
     * evaluation window), since XGBoost multiplies lambda by the number of rows.
     */
    static final double PENALTY = 10;
    static final int ROUNDS = 100;
    /** Fewer rows, or no product at all, and no weights are fitted (the feature stays undefined). */
    static final int MIN_ROWS = 100;

    private ProductBagFitter() {
    }

    public static ProductWeights fit(List<Set<String>> bags, int[] churned) {
        if (bags.size() != churned.length) {
            throw new IllegalArgumentException("product bags and labels differ in length");
        }
        Map<String, Integer> buyers = new HashMap<>();
        bags.forEach(bag -> bag.forEach(sku -> buyers.merge(sku, 1, Integer::sum)));
        if (bags.size() < MIN_ROWS || buyers.isEmpty()) {
            return ProductWeights.NONE;
        }
        List<String> skus = new ArrayList<>(buyers.keySet());
        skus.sort(null);
        Map<String, Integer> column = new HashMap<>(skus.size() * 2);
        double[] idf = new double[skus.size()];
        for (int j = 0; j < idf.length; j++) {
            column.put(skus.get(j), j);
            idf[j] = ProductWeights.idf(bags.size(), buyers.get(skus.get(j)));
        }
        long[] rowStarts = new long[bags.size() + 1];
        int nonZero = bags.stream().mapToInt(Set::size).sum();
        int[] columns = new int[nonZero];
        float[] values = new float[nonZero];
        int k = 0;
        for (int i = 0; i < bags.size(); i++) {
            rowStarts[i] = k;
            int start = k;
            double squares = 0;
            for (String sku : bags.get(i)) {
                int j = column.get(sku);
                columns[k] = j;
                values[k++] = (float) idf[j];
                squares += idf[j] * idf[j];
            }
            for (int m = start; m < k; m++) {
                values[m] = (float) (values[m] / Math.sqrt(squares));
            }
        }
        rowStarts[bags.size()] = k;
        double[] model = Xgb.trainSparseLinear(rowStarts, columns, values, skus.size(), churned,
                PENALTY / bags.size(), ROUNDS);
        Map<String, double[]> products = new HashMap<>(skus.size() * 2);
        for (int j = 0; j < idf.length; j++) {
            products.put(skus.get(j), new double[] {idf[j], model[j + 1]});
        }
        return new ProductWeights(products, model[0], ProductWeights.idf(bags.size(), 0));
    }
}
