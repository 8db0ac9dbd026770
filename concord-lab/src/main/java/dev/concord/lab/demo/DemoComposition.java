package dev.concord.lab.demo;

import dev.concord.lab.eval.Composition;

/**
 * One row of the demo's table: a composition of a set's adapters and how the table labels it.
 *
 * @param label short label, e.g. "naive factor-wise (PEFT linear)"
 * @param composition what is evaluated
 * @param recommended whether it is what the analyzer recommended for the set
 */
public record DemoComposition(String label, Composition composition, boolean recommended) {}
