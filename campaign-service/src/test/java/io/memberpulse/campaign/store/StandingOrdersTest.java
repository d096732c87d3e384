package io.memberpulse.campaign.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The statements built from StandingOrders are whole whichever class the JVM initialises first: a constant of
 * StandingOrders read while CampaignRepository initialised from it was null, and the results' statement read
 * "SELECTnullAS" (a 500) when the home-store query or the staff card had loaded StandingOrders first.
 */
class StandingOrdersTest {
    private static final String STORE = "io.memberpulse.campaign.store.";

    @Test
    void theStatementsAreWholeWhicheverClassInitialisesFirst() throws Exception {
        for (String first : List.of("StandingOrders", "CampaignRepository", "PurchaseRepository", "MemberCardRepository")) {
            try (FreshStoreClasses loader = new FreshStoreClasses()) {
                Class.forName(STORE + first, true, loader);
                for (String[] statement : List.of(new String[] {"CampaignRepository", "STANDING_ORDERS"},
                        new String[] {"CampaignRepository", "WINDOWS"},
                        new String[] {"CampaignRepository", "WINDOWS_WITH_SEGMENTS"}, new String[] {"MemberCardRepository", "LINE_COLUMNS"})) {
                    Field field = Class.forName(STORE + statement[0], true, loader).getDeclaredField(statement[1]);
                    field.setAccessible(true);
                    assertThat((String) field.get(null)).as("%s after %s first", statement[1], first)
                            // a null concatenated in (nullif is SQL)
                            .doesNotContainPattern("null(?!if)").contains("CASE WHEN mp.kind = 'refund'");
                }
            }
        }
    }

    /** The store package's classes loaded anew (so initialised anew), everything else from the test's loader. */
    private static final class FreshStoreClasses extends URLClassLoader {
        FreshStoreClasses() {
            super(new URL[] {StandingOrders.class.getProtectionDomain().getCodeSource().getLocation()},
                    StandingOrdersTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith(STORE)) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                return loaded != null ? loaded : findClass(name);
            }
        }
    }
}
