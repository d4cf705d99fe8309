/**
 * TLS handshake parsing for traffic captured at TC: the first-flight bytes of a connection go
 * into a {@link io.gatelens.collector.tls.HandshakeReassembler} (one per direction), whose
 * first message is parsed by {@link io.gatelens.collector.tls.ClientHello#parse} or
 * {@link io.gatelens.collector.tls.ServerHello#parse}; {@link io.gatelens.collector.tls.Ja4}
 * fingerprints the ClientHello.
 *
 * <p>All input is attacker-controlled. The reassembler reports bad input as a state; the
 * parsers throw the checked {@link io.gatelens.collector.tls.TlsParseException} and nothing
 * else. No read leaves the slice it was given, and nothing is allocated beyond what the bytes
 * that actually arrived justify.
 */
package io.gatelens.collector.tls;
