/**
 * flood: the verticle that sends numbered datagrams and reads the replies while it sends, and the plain classes it
 * counts and paces with.
 */
package dev.udplab.client.flood;
