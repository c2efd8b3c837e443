package dev.netpol.platform.guice.internal;

import com.google.inject.Key;
import java.util.Map;

/** A binding to register as an OSGi service. */
public record ExportSpec(Class<?> type, Key<?> key, Map<String, ?> properties) {}
