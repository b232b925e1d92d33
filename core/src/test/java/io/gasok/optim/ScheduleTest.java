package io.gasok.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ScheduleTest {

    @Test
    void stepDecayMultipliesByGammaEveryStepSizeSteps() {
        Schedule schedule = Schedule.step(0.1, 10, 0.5);
        assertEquals(0.1, schedule.valueAt(0), 1e-15);
        assertEquals(0.1, schedule.valueAt(9), 1e-15);
        assertEquals(0.05, schedule.valueAt(10), 1e-15);
        assertEquals(0.0125, schedule.valueAt(35), 1e-15);
    }

    @Test
    void cosineAnnealsFromTheRateToTheMinimumAndStaysThere() {
        Schedule schedule = Schedule.cosine(1.0, 100, 0.1);
        assertEquals(1.0, schedule.valueAt(0), 1e-15);
        assertEquals(0.55, schedule.valueAt(50), 1e-12);
        assertEquals(0.1 + 0.9 * (1 + Math.cos(Math.PI / 4)) / 2, schedule.valueAt(25), 1e-12);
        assertEquals(0.1, schedule.valueAt(100), 1e-15);
        assertEquals(0.1, schedule.valueAt(1000), 1e-15);
    }

    @Test
    void linearWarmupRampsIntoTheNextScheduleWhichStartsAfterIt() {
        Schedule schedule = Schedule.linearWarmup(4, Schedule.cosine(0.8, 10, 0));
        assertEquals(0.2, schedule.valueAt(0), 1e-15);
        assertEquals(0.6, schedule.valueAt(2), 1e-15);
        assertEquals(0.8, schedule.valueAt(4), 1e-15);
        assertEquals(0.4, schedule.valueAt(9), 1e-12);
        assertEquals(0.0, schedule.valueAt(14), 1e-15);
    }

    @Test
    void schedulesComposeInSequenceAndByProduct() {
        Schedule schedule = Schedule.linear(0.0, 1.0, 10).then(10, Schedule.constant(1.0)).then(20, Schedule.step(1.0, 5, 0.1));
        assertEquals(0.5, schedule.valueAt(5), 1e-15);
        assertEquals(1.0, schedule.valueAt(15), 1e-15);
        assertEquals(0.1, schedule.valueAt(25), 1e-15);
        Schedule product = Schedule.constant(2.0).scaledBy(Schedule.step(1.0, 1, 0.5));
        assertEquals(0.5, product.valueAt(2), 1e-15);
    }
}
