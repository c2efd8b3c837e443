/**
 * The project's one way to run a system command: output read on its own threads (a full pipe never
 * blocks the child), a deadline after which the child and its descendants are killed.
 */
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.netpol.netfilter.process;
