/**
 * The command lines: one class per command (send, flood, demo) and per flood run mode (single run, sweep,
 * find-max-rate), each building its options once and handing them on.
 */
package dev.udplab.client.cli;
