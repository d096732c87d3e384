package io.memberpulse.identity.domain;

import static io.memberpulse.identity.domain.ProfileComparator.ADDRESS;
import static io.memberpulse.identity.domain.ProfileComparator.CITY;
import static io.memberpulse.identity.domain.ProfileComparator.COUPON;
import static io.memberpulse.identity.domain.ProfileComparator.DEVICE;
import static io.memberpulse.identity.domain.ProfileComparator.FULL_NAME;
import static io.memberpulse.identity.domain.ProfileComparator.PHONE;
import static io.memberpulse.identity.domain.ProfileComparator.STORE;
import static io.memberpulse.identity.domain.ProfileComparator.SURNAME;

import java.util.Objects;
import java.util.Set;

/**
 * Which match weights are estimated from the data ({@link FellegiSunterEstimator}) and which stay as
 * configured. Weights are named as their configuration keys ({@code memberpulse.identity.matching.*});
 * the link threshold is never estimated.
 *
 * @param enabled whether anything is estimated
 * @param fixed   the weights set in configuration: they override the estimate
 */
public record WeightEstimation(boolean enabled, Set<String> fixed) {
    /** The weights that can be estimated, by their configuration keys (declared first: the constants use it). */
    public static final Set<String> NAMES = Set.of("masked-phone-m", "phone-disagree", "phone-one-edit-same-store",
            "surname-m", "surname-disagree", "full-name-agree", "home-address-agree", "office-address-agree",
            "address-disagree", "store-m", "city-agree", "city-disagree", "device-agree", "coupon-agree");
    public static final WeightEstimation OFF = new WeightEstimation(false, Set.of());
    /**
     * The defaults of application.properties: the disagreement weights and the masked phone's m stay as
     * configured (members of one household share address, surname, store and city, so EM without labels
     * takes them for one person), and so does a phone one keying slip away at the same store (so rare among
     * random pairs that u sits at the smoothing floor and EM halves the weight); every other weight is
     * estimated.
     */
    public static final WeightEstimation DEFAULTS = new WeightEstimation(true, Set.of("phone-disagree",
            "phone-one-edit-same-store", "surname-disagree", "address-disagree", "city-disagree", "masked-phone-m"));
    /** Every weight estimated. */
    public static final WeightEstimation ALL = new WeightEstimation(true, Set.of());

    public WeightEstimation {
        fixed = Set.copyOf(Objects.requireNonNull(fixed, "fixed"));
        for (String name : fixed) {
            if (!NAMES.contains(name)) {
                throw new IllegalArgumentException("no estimated weight " + name + "; known: " + NAMES);
            }
        }
    }

    /** The seed weights with every weight that is not fixed replaced by its estimate. */
    public MatchWeights apply(MatchWeights seed, FellegiSunterEstimator.Estimate e) {
        return new MatchWeights(
                pick("masked-phone-m", seed.maskedPhoneM(), e.m()[PHONE][1]),
                pick("phone-disagree", seed.phoneDisagree(), e.weight(PHONE, 3)),
                pick("phone-one-edit-same-store", seed.phoneOneEditSameStore(), e.weight(PHONE, 2)),
                pick("surname-m", seed.surnameM(), e.m()[SURNAME][1]),
                pick("surname-disagree", seed.surnameDisagree(), e.weight(SURNAME, 2)),
                pick("full-name-agree", seed.fullNameAgree(), e.weight(FULL_NAME, 1)),
                pick("home-address-agree", seed.homeAddressAgree(), e.weight(ADDRESS, 1)),
                pick("office-address-agree", seed.officeAddressAgree(), e.weight(ADDRESS, 2)),
                pick("address-disagree", seed.addressDisagree(), e.weight(ADDRESS, 3)),
                pick("store-m", seed.storeM(), e.m()[STORE][1]),
                pick("city-agree", seed.cityAgree(), e.weight(CITY, 1)),
                pick("city-disagree", seed.cityDisagree(), e.weight(CITY, 2)),
                pick("device-agree", seed.deviceAgree(), e.weight(DEVICE, 1)),
                pick("coupon-agree", seed.couponAgree(), e.weight(COUPON, 1)),
                seed.linkThreshold(), seed.personalDeviceDays());
    }

    private double pick(String name, double seed, double estimated) {
        return fixed.contains(name) ? seed : estimated;
    }

    /** m where EM starts: the m that gives the seed weights with this u (m = u * 2^weight, rows normalised). */
    static double[][] startingM(MatchWeights seed, double[][] u) {
        double[][] weights = {
            {0, log2(seed.maskedPhoneM() / u[PHONE][1]), seed.phoneOneEditSameStore(), seed.phoneDisagree()},
            {0, log2(seed.surnameM() / u[SURNAME][1]), seed.surnameDisagree()},
            {0, seed.fullNameAgree(), 0},
            {0, seed.homeAddressAgree(), seed.officeAddressAgree(), seed.addressDisagree()},
            {0, log2(seed.storeM() / u[STORE][1]), 0},
            {0, seed.cityAgree(), seed.cityDisagree()},
            {0, seed.deviceAgree(), 0},
            {0, seed.couponAgree(), 0},
        };
        double[][] m = new double[u.length][];
        for (int k = 0; k < u.length; k++) {
            m[k] = new double[u[k].length];
            double sum = 0;
            for (int level = 1; level < u[k].length; level++) {
                m[k][level] = u[k][level] * Math.pow(2, weights[k][level]);
                sum += m[k][level];
            }
            for (int level = 1; level < u[k].length; level++) {
                m[k][level] /= sum;
            }
        }
        return m;
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
