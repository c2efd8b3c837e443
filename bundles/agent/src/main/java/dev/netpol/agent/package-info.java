/** What the node agent reports about itself: programmed pods, the backend in use, latency. */
package dev.netpol.agent;
