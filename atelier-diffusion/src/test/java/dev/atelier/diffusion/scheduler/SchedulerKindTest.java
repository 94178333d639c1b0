package dev.atelier.diffusion.scheduler;

import dev.atelier.core.AtelierException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SchedulerKindTest {

    @Test
    void cliNamesMapToKinds() {
        assertThat(SchedulerKind.fromCliName("ddim")).isEqualTo(SchedulerKind.DDIM);
        assertThat(SchedulerKind.fromCliName("euler")).isEqualTo(SchedulerKind.EULER);
        assertThat(SchedulerKind.fromCliName("euler-a")).isEqualTo(SchedulerKind.EULER_ANCESTRAL);
        assertThat(SchedulerKind.fromCliName("dpmpp-2m-karras")).isEqualTo(SchedulerKind.DPMPP_2M_KARRAS);
        assertThat(SchedulerKind.fromCliName("DPMPP-2M")).isEqualTo(SchedulerKind.DPMPP_2M);
        assertThat(SchedulerKind.fromCliName(" lcm ")).isEqualTo(SchedulerKind.LCM);
    }

    @Test
    void unknownNameListsTheValidOnes() {
        assertThatThrownBy(() -> SchedulerKind.fromCliName("heun"))
                .isInstanceOf(AtelierException.class)
                .hasMessageContaining("'heun'")
                .hasMessageContaining("ddim, euler, euler-a, dpmpp-2m-karras, dpmpp-2m, lcm");
    }
}
