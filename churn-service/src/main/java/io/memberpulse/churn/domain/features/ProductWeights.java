package io.memberpulse.churn.domain.features;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A logistic regression over the member's product bag: each product (SKU) the member ever bought weighs
 * its inverse document frequency among the training members, the bag scaled to unit length, so the score
 * reads what the member buys rather than how much. Learnt by a training run from its cut-offs' labels
 * (ProductBagFitter); a model version carries the one it was trained with. Why: which products a member
 * buys says much about whether they come back (gift shop or wholesaler, seasonal or staple lines), and
 * a model learning thousands of product weights together sees more than per-product return rates averaged.
 *
 * @param products SKU -> {inverse document frequency, weight}
 * @param bias the log-odds of a member whose products all have weight 0
 * @param unseenIdf the inverse document frequency of a product no training member bought (weight 0)
 */
public record ProductWeights(Map<String, double[]> products, double bias, double unseenIdf) {
    public static final ProductWeights NONE = new ProductWeights(Map.of(), Double.NaN, Double.NaN);

    public boolean isEmpty() {
        return products.isEmpty();
    }

    /** Smoothed inverse document frequency of a product bought by {@code buyers} of {@code members}. */
    public static double idf(int members, int buyers) {
        return Math.log((1.0 + members) / (1.0 + buyers)) + 1;
    }

    /** Log-odds of churn from the products; NaN without weights or without products. */
    public double logOdds(Set<String> skus) {
        if (isEmpty() || skus.isEmpty()) {
            return Double.NaN;
        }
        double squares = 0;
        double sum = 0;
        for (String sku : skus) {
            double[] idfAndWeight = products.get(sku);
            double idf = idfAndWeight == null ? unseenIdf : idfAndWeight[0];
            squares += idf * idf;
            sum += idfAndWeight == null ? 0 : idf * idfAndWeight[1];
        }
        return bias + sum / Math.sqrt(squares);
    }

    void write(DataOutputStream out) throws IOException {
        out.writeDouble(bias);
        out.writeDouble(unseenIdf);
        out.writeInt(products.size());
        for (Map.Entry<String, double[]> entry : products.entrySet()) {
            out.writeUTF(entry.getKey());
            out.writeDouble(entry.getValue()[0]);
            out.writeDouble(entry.getValue()[1]);
        }
    }

    static ProductWeights read(DataInputStream in) throws IOException {
        double bias = in.readDouble();
        double unseen = in.readDouble();
        int size = in.readInt();
        Map<String, double[]> products = new HashMap<>(size * 2);
        for (int i = 0; i < size; i++) {
            products.put(in.readUTF(), new double[] {in.readDouble(), in.readDouble()});
        }
        return size == 0 ? NONE : new ProductWeights(products, bias, unseen);
    }
}
