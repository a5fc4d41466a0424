package io.shardis.proxy;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/**
 * SIGHUP for a Java process. The JDK has no public API for signals; {@code sun.misc.Signal} (module
 * {@code jdk.unsupported}) is what every JVM server uses. It is reached by reflection so that the build
 * can treat every compiler warning as an error ({@code -Werror}) while javac warns, without a way to
 * suppress it, on each direct use of an internal API.
 */
final class HangupSignal {

    private HangupSignal() {}

    /**
     * Runs {@code action} on the JVM's signal thread at each SIGHUP.
     *
     * @throws UnsupportedOperationException when this platform or JVM cannot handle SIGHUP (the reason said)
     */
    static void onHangup(Runnable action) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object signal = signalClass.getConstructor(String.class).newInstance("HUP");
            Object handler = Proxy.newProxyInstance(
                    HangupSignal.class.getClassLoader(),
                    new Class<?>[] {handlerClass},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "handle" -> {
                            action.run();
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        case "toString" -> "SIGHUP handler";
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
            signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
        } catch (InvocationTargetException e) {
            throw new UnsupportedOperationException(String.valueOf(e.getCause().getMessage()), e.getCause());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new UnsupportedOperationException(e.toString(), e);
        }
    }
}
