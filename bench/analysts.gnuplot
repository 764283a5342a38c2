# Chart of bench/analysts: each sample query's median time (log scale) with
# the issue's targets (1 s, stretch 300 ms). Called with datafile and outfile.
set terminal pngcairo size 900,520 font ",10" noenhanced
set output outfile
set title "Analysts' queries after the first load: median of 3 warm runs"
set ylabel "ms (log scale)"
set logscale y
set yrange [0.1:*]
set grid ytics
set style fill solid 0.8 border -1
set boxwidth 0.6
set xtics rotate by -25 nomirror
set key top left
plot datafile using 0:2:xtic(1) with boxes lc rgb "#4477aa" title "median", \
     "" using 0:2:(sprintf("%.1f", $2)) with labels offset 0,0.8 notitle, \
     1000 with lines dt 2 lc rgb "#cc3311" title "target 1 s", \
     300 with lines dt 3 lc rgb "#ee7733" title "stretch 300 ms"
