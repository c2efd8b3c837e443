/**
 * netpol's pages in the Apache Felix Web Console and what keeps the console safe: the listener's
 * address, the credentials (a generated password in the data dir unless configured), a security
 * provider the console waits for, and CSRF protection of every state-changing request.
 */
package dev.netpol.console.internal;
