package dev.netpol.launcher.spi;

/**
 * Registered as an OSGi service (any object, under this interface) once the container does its job
 * — a node's agent has synced and its backend is healthy, or the controller runs. The launcher then
 * starts the bundles a profile marks as late (start level 3 and more: the web console), so that
 * their start never competes with the first policy; without this service it starts them after
 * {@code netpol.late.start.timeout} (default 15 s) anyway.
 */
public interface Ready {}
