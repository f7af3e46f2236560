package reporting

import "time"

// The telephone metrics of PRODUCT.md, each defined here and nowhere else.

// ServiceLevel is the project's service level: answered with wait ≤ T ÷
// (answered + abandoned − short abandons + timed out).
func ServiceLevel(c Counts) Rate {
	return Rate{Num: c.AnsweredWithinT, Den: c.Answered + c.Abandoned - c.ShortAbandoned + c.TimedOut}
}

// AnsweredOnlyServiceLevel is answered with wait ≤ T ÷ answered (Asterisk's and Wazo's).
func AnsweredOnlyServiceLevel(c Counts) Rate {
	return Rate{Num: c.AnsweredWithinT, Den: c.Answered}
}

// AbandonNeutralServiceLevel is (answered ≤ T + abandoned ≤ T) ÷ (answered +
// abandoned): Asterisk's SL2.
func AbandonNeutralServiceLevel(c Counts) Rate {
	return Rate{Num: c.AnsweredWithinT + c.AbandonedWithinT, Den: c.Answered + c.Abandoned}
}

// ASA is the average speed of answer: Σ wait of answered ÷ answered.
func ASA(c Counts) Average {
	return Average{Sum: c.WaitSum, N: c.Answered}
}

// AbandonmentRate is (abandoned − short abandons) ÷ (offered − short abandons).
func AbandonmentRate(c Counts) Rate {
	return Rate{Num: c.Abandoned - c.ShortAbandoned, Den: c.Offered - c.ShortAbandoned}
}

// LongestWait is the largest wait of any call that left the queue in the period.
func LongestWait(c Counts) time.Duration { return c.MaxWait }

// AHT is the average handling time: (talk + hold + wrap-up) ÷ answered.
func AHT(c Counts) Average {
	return Average{Sum: c.TalkSum + c.HoldSum + c.WrapSum, N: c.Answered}
}

// Occupancy is handling time ÷ (handling time + available idle time).
func Occupancy(handling, idle time.Duration) TimeShare {
	return TimeShare{Part: handling, Whole: handling + idle}
}
