
&t-9d4061cd-1a8d-4ec6-87fb-aef3a4d5fb41â‘¹è¤4trainer-service-2z¤
¡
œ'void io.convnet.job.TrainingRequest.<init>(java.lang.String, java.lang.String, java.nio.file.Path, int, int, boolean, io.convnet.train.OptimizerSpec, long, int, int, int, java.nio.file.Path, java.nio.file.Path, boolean, io.convnet.transfer.TransferOptions, io.convnet.data.DataRoot)'