package dev.concord.merge.methods;

import dev.concord.merge.ModuleInputs;
import dev.concord.merge.elementwise.BandScope;
import dev.concord.merge.elementwise.BreadcrumbsBand;
import dev.concord.merge.elementwise.Sparsifier;
import java.util.List;

/** {@code breadcrumbs} (Davari &amp; Belilovsky 2023): drop the gamma outliers, keep the next density, weighted sum. */
public final class BreadcrumbsMethod extends ElementwiseMethod {
    public BreadcrumbsMethod() {
        super("breadcrumbs", "drop the top gamma outliers, keep the next density fraction (per row), weighted sum",
                "Davari & Belilovsky 2023, Model Breadcrumbs; mergekit breadcrumbs (--scope tensor)", false,
                List.of(CommonParameters.density(0.2), CommonParameters.gamma(), CommonParameters.scope()));
    }

    @Override
    Sparsifier sparsifier(ModuleInputs in, int i) {
        return band(in, i);
    }

    static Sparsifier band(ModuleInputs in, int i) {
        return new BreadcrumbsBand(in.params().number("density", i), in.params().number("gamma", i),
                BandScope.of(in.params().choice("scope")));
    }
}
