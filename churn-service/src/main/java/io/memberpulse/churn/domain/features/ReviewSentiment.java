package io.memberpulse.churn.domain.features;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Lexicon sentiment of a review text in English or Chinese, -1..1: the opinion words' weights,
 * flipped by a negation and scaled by degree words among the few words before them, summed and
 * divided by the sum of their sizes; 0 when no opinion word occurs. English is split into words;
 * Chinese, which has no spaces, is cut by forward maximum matching against the lexicon, so
 * 不新鲜 is one (negative) word and 不太新鲜 a negation before 新鲜. The lexicon is the resource
 * review-lexicon.tsv (its header says where the words come from).
 */
final class ReviewSentiment {
    /** How many words before an opinion a negation or degree word still reaches. */
    private static final int SCOPE = 3;
    private static final Lexicon LEXICON = Lexicon.load("review-lexicon.tsv");

    private ReviewSentiment() {
    }

    static double score(String text) {
        List<Term> words = LEXICON.words(text.toLowerCase(Locale.ROOT));
        double sum = 0;
        double size = 0;
        for (int i = 0; i < words.size(); i++) {
            Term word = words.get(i);
            if (word.kind() != Kind.OPINION) {
                continue;
            }
            double w = word.weight();
            for (int j = i - 1; j >= 0 && j >= i - SCOPE; j--) {
                Term before = words.get(j);
                if (before.kind() == Kind.BREAK || before.kind() == Kind.OPINION) {
                    break;
                }
                w *= before.kind() == Kind.NEGATION ? -1 : before.kind() == Kind.DEGREE ? before.weight() : 1;
            }
            sum += w;
            size += Math.abs(w);
        }
        return size == 0 ? 0 : sum / size;
    }

    enum Kind { OPINION, NEGATION, DEGREE, OTHER, BREAK }

    record Term(Kind kind, double weight) {
        static final Term OTHER = new Term(Kind.OTHER, 0);
        static final Term BREAK = new Term(Kind.BREAK, 0);
    }

    record Lexicon(Map<String, Term> terms, int longestHan) {
        static Lexicon load(String resource) {
            Map<String, Term> terms = new HashMap<>();
            int longest = 1;
            try (InputStream in = ReviewSentiment.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("review lexicon " + resource + " missing from the classpath");
                }
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    if (line.isBlank() || line.startsWith("#")) {
                        continue;
                    }
                    String[] cells = line.split("\t");
                    terms.put(cells[0], new Term(Kind.valueOf(cells[1].toUpperCase(Locale.ROOT)), Double.parseDouble(cells[2])));
                    if (isHan(cells[0].codePointAt(0))) {
                        longest = Math.max(longest, cells[0].codePointCount(0, cells[0].length()));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new Lexicon(Map.copyOf(terms), longest);
        }

        /** The text as lexicon terms: words, Chinese matched longest first; punctuation breaks a scope. */
        List<Term> words(String text) {
            List<Term> words = new ArrayList<>();
            int i = 0;
            while (i < text.length()) {
                int c = text.codePointAt(i);
                if (isHan(c)) {
                    int end = i;
                    while (end < text.length() && isHan(text.codePointAt(end))) {
                        end += Character.charCount(text.codePointAt(end));
                    }
                    matchHan(text.substring(i, end), words);
                    i = end;
                } else if (Character.isLetter(c) || isApostrophe(c)) {
                    int end = i;
                    while (end < text.length() && (Character.isLetter(text.codePointAt(end))
                            || isApostrophe(text.charAt(end)) || text.charAt(end) == '-')) {
                        end += Character.charCount(text.codePointAt(end));
                    }
                    words.add(terms.getOrDefault(text.substring(i, end).replace('\u2019', '\''), Term.OTHER));
                    i = end;
                } else {
                    if (!Character.isWhitespace(c)) {
                        words.add(Term.BREAK);
                    }
                    i += Character.charCount(c);
                }
            }
            return words;
        }

        private void matchHan(String run, List<Term> words) {
            int i = 0;
            while (i < run.length()) {
                Term found = Term.OTHER;
                int length = 1;
                for (int n = Math.min(longestHan, run.length() - i); n >= 1; n--) {
                    Term term = terms.get(run.substring(i, i + n));
                    if (term != null) {
                        found = term;
                        length = n;
                        break;
                    }
                }
                words.add(found);
                i += length;
            }
        }
    }

    private static boolean isApostrophe(int c) {
        return c == '\'' || c == '\u2019';
    }

    private static boolean isHan(int codePoint) {
        return Character.UnicodeScript.of(codePoint) == Character.UnicodeScript.HAN;
    }
}
