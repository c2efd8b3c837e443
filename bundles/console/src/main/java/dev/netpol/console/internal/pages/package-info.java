/**
 * One servlet per console page, each registered as a Web Console plugin (label {@code netpol-*},
 * category netpol). Pages render from the status services of {@code netpol-api} at each request;
 * state changes are POSTs checked against the CSRF token.
 */
package dev.netpol.console.internal.pages;
