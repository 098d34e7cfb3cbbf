/** send: one socket per target, each message to every target, replies matched to requests with timeouts and retries. */
package dev.udplab.client.send;
