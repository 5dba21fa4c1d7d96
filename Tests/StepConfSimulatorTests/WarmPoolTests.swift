import StepConfCore
import StepConfSimulator
import Testing

@Suite struct WarmPoolTests {
    @Test func aReleasedInstanceIsWarmUntilItsKeepAliveEnds() {
        var pool = WarmPool(keepAliveSeconds: 600)
        let took1 = pool.acquire("f", at: 0)
        #expect(!took1, "nothing is warm at first")
        pool.release("f", at: 10)
        #expect(pool.warmCount("f", at: 10) == 1 && pool.warmCount("f", at: 610) == 1 && pool.warmCount("f", at: 611) == 0)
        #expect(pool.warmCount("f", at: 5) == 0, "not idle before it was released")
        let took2 = pool.acquire("f", at: 300)
        #expect(took2)
        let took3 = pool.acquire("f", at: 301)
        #expect(!took3, "the one warm instance is busy")
        pool.release("f", at: 400)
        let took4 = pool.acquire("f", at: 1001)
        #expect(!took4, "expired")
        #expect(pool.warmCount("g", at: 0) == 0)
    }

    @Test func theMostRecentlyUsedIdleInstanceIsTakenFirst() {
        var pool = WarmPool(keepAliveSeconds: 100)
        pool.release("f", at: 0)
        pool.release("f", at: 50)
        pool.release("f", at: 90)
        let took5 = pool.acquire("f", at: 95)
        #expect(took5)
        // The instance idle since 0 expires at 100; those since 50 and 90 remain — one taken, so two warm at 99.
        #expect(pool.warmCount("f", at: 99) == 2)
        #expect(pool.warmCount("f", at: 120) == 1, "the one idle since 90 outlives the one since 0")
    }

    @Test func functionsAreSeparatePools() {
        var pool = WarmPool(keepAliveSeconds: 10)
        pool.release("synthetic-m1024", at: 0)
        let took6 = pool.acquire("synthetic-m2048", at: 1)
        #expect(!took6)
        let took7 = pool.acquire("synthetic-m1024", at: 1)
        #expect(took7)
    }
}
