package dev.atelier.app.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.ConsoleAppender;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class StderrLogConfiguratorTest {

    @Test
    void logbackFindsTheCodeConfigurationAndLogsToStderrOnly() {
        assertThat(ServiceLoader.load(Configurator.class).stream().map(p -> (Object) p.type()).toList())
                .contains(StderrLogConfigurator.class);
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        var root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        var appender = root.getAppender("STDERR");
        assertThat(appender).isInstanceOf(ConsoleAppender.class);
        assertThat(((ConsoleAppender<?>) appender).getTarget()).isEqualTo("System.err");
        assertThat(root.getLevel()).isEqualTo(StderrLogConfigurator.level(System.getenv("ATELIER_LOG_LEVEL")));
    }

    @Test
    void theLevelComesFromItsNameWithWarnForAnythingElse() {
        assertThat(StderrLogConfigurator.level(null)).isEqualTo(Level.WARN);
        assertThat(StderrLogConfigurator.level("debug")).isEqualTo(Level.DEBUG);
        assertThat(StderrLogConfigurator.level(" TRACE ")).isEqualTo(Level.TRACE);
        assertThat(StderrLogConfigurator.level("loud")).isEqualTo(Level.WARN);
    }
}
