/**
 * The client's sockets: targets (HostPort), opening and binding a client socket, the buffer sizes asked for and
 * granted, UDP GSO.
 */
package dev.udplab.client.net;
