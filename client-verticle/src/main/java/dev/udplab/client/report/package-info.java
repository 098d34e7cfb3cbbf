/** A flood's report and its writers: text as people read it, the JSON of the contract, the sweep table. */
package dev.udplab.client.report;
