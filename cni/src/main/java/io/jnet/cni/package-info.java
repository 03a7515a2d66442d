/**
 * The CNI protocol for jnet's plugins: {@link io.jnet.cni.PluginMain} validates the {@code CNI_*} environment and
 * the config on stdin, negotiates the version and calls a {@link io.jnet.cni.CniPlugin}; {@link io.jnet.cni.Result}
 * and its parts model an ADD result in the 1.1 shape, which {@link io.jnet.cni.ResultCodec} writes in every
 * supported version. JSON is handled as plain maps and lists by {@link io.jnet.cni.Json} on jackson-core's
 * streaming API. Nothing here uses JNA, reflection or data binding: every plugin call is a fresh JVM, and each
 * class loaded costs start-up time.
 */
package io.jnet.cni;
