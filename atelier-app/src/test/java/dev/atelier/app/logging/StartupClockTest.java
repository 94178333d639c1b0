package dev.atelier.app.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StartupClockTest {

    @Test
    void theBreakdownListsEachStepInOrderAndTheirSumIsTheTotal() throws Exception {
        StartupClock.reset();
        StartupClock.mark("first");
        Thread.sleep(5);
        StartupClock.mark("second");
        String text = StartupClock.breakdown();
        StartupClock.reset();

        assertThat(text).startsWith("start-up breakdown (ms): first ").contains("; second ").contains("; total ");
        long sum = 0;
        for (String part : text.substring(text.indexOf(':') + 1).split(";")) {
            String[] words = part.strip().split(" ");
            if (!words[0].equals("total")) sum += Long.parseLong(words[words.length - 1]);
            else assertThat(Long.parseLong(words[1])).isEqualTo(sum);
        }
        assertThat(Long.parseLong(text.replaceAll(".*second (\\d+);.*", "$1"))).isGreaterThanOrEqualTo(5);
    }
}
