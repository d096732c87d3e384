package io.memberpulse.churn;

import io.memberpulse.churn.domain.metrics.BinaryMetrics;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * A reliability diagram as PNG (plain java.awt, headless): predicted churn probability against the
 * churn rate observed, one line per model, dot size by members in the bin; the diagonal is perfect.
 */
final class ReliabilityPlot {
    private static final int W = 640;
    private static final int H = 520;
    private static final int LEFT = 70;
    private static final int TOP = 50;
    private static final int SIZE = 400;
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0x9467bd), new Color(0xff7f0e)};

    private ReliabilityPlot() {
    }

    /** @param curves model name -> its reliability bins, drawn in this order */
    static byte[] png(String title, Map<String, List<BinaryMetrics.Bin>> curves) {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, W, H);
            axes(g, title);
            int i = 0;
            for (Map.Entry<String, List<BinaryMetrics.Bin>> curve : curves.entrySet()) {
                curve(g, curve.getValue(), COLORS[i % COLORS.length]);
                label(g, curve.getKey(), COLORS[i % COLORS.length], LEFT + SIZE + 20, TOP + 20 + 22 * i);
                i++;
            }
        } finally {
            g.dispose();
        }
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ImageIO.write(image, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void axes(Graphics2D g, String title) {
        g.setColor(new Color(0xeeeeee));
        for (int t = 0; t <= 10; t++) {
            g.drawLine(x(t / 10.0), y(0), x(t / 10.0), y(1));
            g.drawLine(x(0), y(t / 10.0), x(1), y(t / 10.0));
        }
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        g.drawLine(x(0), y(0), x(1), y(1));
        g.setStroke(new BasicStroke(1.5f));
        g.setColor(Color.BLACK);
        g.drawRect(x(0), y(1), SIZE, SIZE);
        text(g, () -> {
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.drawString(title, LEFT, 30);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            for (int t = 0; t <= 10; t += 2) {
                String v = String.format(Locale.ROOT, "%.1f", t / 10.0);
                g.drawString(v, x(t / 10.0) - 8, y(0) + 18);
                g.drawString(v, x(0) - 28, y(t / 10.0) + 4);
            }
            g.drawString("predicted churn probability", LEFT + 120, y(0) + 40);
            g.rotate(-Math.PI / 2);
            g.drawString("observed churn rate", -(TOP + 280), 20);
            g.rotate(Math.PI / 2);
        });
    }

    private static void curve(Graphics2D g, List<BinaryMetrics.Bin> bins, Color color) {
        g.setColor(color);
        g.setStroke(new BasicStroke(2f));
        int total = bins.stream().mapToInt(BinaryMetrics.Bin::count).sum();
        for (int i = 0; i < bins.size(); i++) {
            BinaryMetrics.Bin bin = bins.get(i);
            int px = x(bin.meanPredicted());
            int py = y(bin.observedRate());
            if (i > 0) {
                g.drawLine(x(bins.get(i - 1).meanPredicted()), y(bins.get(i - 1).observedRate()), px, py);
            }
            int r = 3 + (int) Math.round(9 * Math.sqrt(bin.count() / (double) Math.max(1, total)));
            g.fillOval(px - r, py - r, 2 * r, 2 * r);
        }
    }

    private static void label(Graphics2D g, String name, Color color, int left, int top) {
        g.setColor(color);
        g.fillRect(left, top - 9, 14, 10);
        text(g, () -> {
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            g.drawString(name, left + 20, top);
        });
    }

    /** Text needs fonts; where a slim runtime has none, the picture goes without words rather than fail. */
    private static void text(Graphics2D g, Runnable drawing) {
        try {
            drawing.run();
        } catch (RuntimeException | Error noFonts) {
            // no fonts available: keep the plot itself
        }
    }

    private static int x(double p) {
        return LEFT + (int) Math.round(Math.max(0, Math.min(1, p)) * SIZE);
    }

    private static int y(double rate) {
        return TOP + SIZE - (int) Math.round(Math.max(0, Math.min(1, rate)) * SIZE);
    }
}
