package dev.concord.merge.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BreadcrumbsTest {
    @Test
    void dropsOutliersAndKeepsTheNextDensityFraction() {
        float[] row = new float[100];
        for (int i = 0; i < 100; i++) {
            row[i] = (i % 2 == 0 ? 1 : -1) * (i + 1);
        }
        Breadcrumbs.applyToGroup(row, 0, 100, 0.2, 0.05);
        // |values| 1..100: drop 96..100 (5 outliers), keep 76..95 (20), drop the rest
        for (int i = 0; i < 100; i++) {
            int mag = i + 1;
            boolean kept = mag >= 76 && mag <= 95;
            assertThat(row[i] != 0).as("magnitude %d", mag).isEqualTo(kept);
        }
    }

    @Test
    void anOutlierCountThatRoundsToZeroDropsNoOutliersInsteadOfEverything() {
        float[] row = {5f, -4f, 3f, -2f, 1f, 0.5f, 0.25f, 0.125f, 0.0625f, 0.03f};
        Breadcrumbs.applyToGroup(row, 0, row.length, 0.2, 0.01);
        // int(0.01·10) = 0 outliers, int(0.2·10) = 2 kept: the two largest survive
        assertThat(row).containsExactly(5f, -4f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f);
    }

    @Test
    void outlierCountShrinksWhenDensityAndGammaExceedTheGroup() {
        Breadcrumbs.Counts c = Breadcrumbs.counts(10, 0.95, 0.2);
        assertThat(c.kept()).isEqualTo(9);
        assertThat(c.outliers()).isEqualTo(1);
    }
}
