/** The udp_client_* meters and the endpoint that serves them. */
package dev.udplab.client.metrics;
