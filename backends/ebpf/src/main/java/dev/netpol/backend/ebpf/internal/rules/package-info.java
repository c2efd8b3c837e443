/**
 * Pure-Java compilation of one direction of a pod's policy into LPM trie entries: META (state,
 * generation), ADDR (peer prefix to class) and PORT (class, protocol, aligned port block) keys. No
 * kernel access; see RuleCompiler for the longest-prefix construction that keeps each except inside
 * its own rule.
 */
package dev.netpol.backend.ebpf.internal.rules;
