/** Services between netpol bundles: the enforcement backend contract and its bookkeeping types. */
package dev.netpol.api;
