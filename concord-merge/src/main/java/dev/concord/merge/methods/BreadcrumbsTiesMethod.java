package dev.concord.merge.methods;

import dev.concord.merge.ModuleInputs;
import dev.concord.merge.elementwise.Sparsifier;
import java.util.List;

/** {@code breadcrumbs_ties}: Breadcrumbs' band, then TIES' sign election and disjoint mean. */
public final class BreadcrumbsTiesMethod extends ElementwiseMethod {
    public BreadcrumbsTiesMethod() {
        super("breadcrumbs_ties", "Breadcrumbs band (drop gamma outliers, keep next density), then TIES consensus",
                "Davari & Belilovsky 2023 with TIES; mergekit breadcrumbs_ties", true,
                List.of(CommonParameters.density(0.2), CommonParameters.gamma(), CommonParameters.scope()));
    }

    @Override
    Sparsifier sparsifier(ModuleInputs in, int i) {
        return BreadcrumbsMethod.band(in, i);
    }
}
