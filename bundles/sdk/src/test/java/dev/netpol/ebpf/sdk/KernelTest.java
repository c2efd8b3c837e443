package dev.netpol.ebpf.sdk;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** Runs only with -Dnetpol.kernel.tests=true (as root, on a kernel with BPF). */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@EnabledIfSystemProperty(named = "netpol.kernel.tests", matches = "true")
@interface KernelTest {}
