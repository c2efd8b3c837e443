package dev.netpol.watch;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a class that reads only some fields of its kind (say, of a Pod only the metadata, node,
 * host network and addresses a node agent needs), so that a process holding many of them does not
 * load, introspect and keep fabric8's whole model of the kind. An informer of such a class does not
 * claim its kind in the client's serialization: a process that also watches the kind with the full
 * model class (the standalone's controller) keeps reading watch events as the full class, and the
 * partial informer gets them converted.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Partial {}
