/** Runs of floods on a started runtime: one run, a sweep of runs, the search of --find-max-rate, and Ctrl-C. */
package dev.udplab.client.run;
